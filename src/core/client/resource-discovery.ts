/**
 * The discovery half of the engine (MCP authorization spec 2025-11-25 "Authorization Server Discovery"):
 * which resource the token is for and which authorization server issues it. Protected Resource Metadata
 * (RFC 9728, from the challenge's `resource_metadata` or the well-known URLs) names both; a server with
 * no PRM at all is a 2025-03-26 server (legacy-authorization-server.ts), whose authorization server
 * lives at the MCP server's origin. Then the authorization server's own metadata (RFC 8414 / OIDC
 * Discovery 1.0), whose issuer must be the one named (RFC 8414 §3.3, checked in as-metadata.ts).
 */
import type * as client from 'openid-client';
import {
  assertEndpoints,
  discoverAuthorizationServer,
  type AsDiscoveryMethod,
} from '../discovery/as-metadata';
import {
  discoverLegacyAuthorizationServer,
  type LegacyDiscoveryMethod,
} from '../discovery/legacy-authorization-server';
import { discoverProtectedResource, type DiscoveredProtectedResource } from '../discovery/protected-resource';
import type { BearerChallenge } from '../discovery/www-authenticate';
import { isEntraIssuer, isEntraV2TenantIssuer } from '../entra';
import { SherpaError, isSherpaError } from '../errors';
import type { GuardedFetch } from '../net/guarded-fetch';
import type { ScopeContext } from './scope-selection';

/** The authorization server the engine uses, with how it was found. */
export interface LearntAuthorizationServer {
  issuer: string;
  metadata: Readonly<client.ServerMetadata>;
  method: AsDiscoveryMethod | LegacyDiscoveryMethod;
}

export interface DiscoveredResource {
  /** Undefined for a 2025-03-26 server. */
  prm?: DiscoveredProtectedResource;
  /** The PRM `resource` (validated against the server URL, RFC 9728 §3.3), else the server URL. */
  resource: string;
  /** The authorization server to use: the PRM's first, or the 2025-03-26 one. */
  issuer: string;
  /** A 2025-03-26 server's authorization server, already known from its origin. */
  legacy?: LearntAuthorizationServer;
}

export interface ResourceDiscoveryOptions {
  fetch: GuardedFetch;
  /** Guess `{origin}/authorize`, `/token`, `/register` when not even legacy metadata exists. */
  legacyDefaultEndpoints?: boolean;
  signal?: AbortSignal;
}

/** PRM, else the 2025-03-26 fallback; rethrows PRM_NOT_FOUND when neither applies. */
export async function discoverResource(
  serverUrl: string,
  challenge: BearerChallenge | undefined,
  o: ResourceDiscoveryOptions,
): Promise<DiscoveredResource> {
  try {
    const prm = await discoverProtectedResource(serverUrl, {
      ...(challenge?.resourceMetadata ? { resourceMetadataUrl: challenge.resourceMetadata } : {}),
      fetch: o.fetch,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    return { prm, resource: prm.metadata.resource, issuer: prm.metadata.authorization_servers[0]! };
  } catch (err) {
    // A challenge naming a resource_metadata URL speaks the current spec: its missing PRM is an error,
    // not a 2025-03-26 server (whose origin's legacy document may belong to another tenant's server).
    if (!isSherpaError(err, 'PRM_NOT_FOUND') || challenge?.resourceMetadata) throw err;
    const found = await discoverLegacyAuthorizationServer(serverUrl, {
      fetch: o.fetch as client.CustomFetch,
      timeoutSeconds: 10,
    });
    if (found.method === 'legacy-default-endpoints' && !o.legacyDefaultEndpoints) {
      throw new SherpaError(err.code, err.message, {
        cause: err,
        hint: `${err.hint ?? ''} No 2025-03-26 authorization server metadata at ${new URL('/.well-known/oauth-authorization-server', serverUrl).href} either.`.trim(),
        ...(err.details ? { details: err.details } : {}),
      });
    }
    // The legacy document is the server's word like any metadata: its endpoints pass the same rule.
    assertEndpoints(found.metadata);
    const issuer = found.metadata.issuer;
    return {
      resource: serverUrl,
      issuer,
      legacy: { issuer, metadata: found.metadata, method: found.method },
    };
  }
}

/** The authorization server's metadata for `found.issuer` (a 2025-03-26 server's is already known). */
export async function discoverIssuer(
  found: DiscoveredResource,
  fetch: GuardedFetch,
): Promise<LearntAuthorizationServer> {
  const learnt = found.legacy ?? (await discover(found.issuer, fetch));
  assertNotEntraInDisguise(learnt);
  if (!found.legacy) assertPkceAdvertised(learnt);
  return learnt;
}

/**
 * MCP authorization (2025-11-25, "Authorization Code Protection"): a client MUST verify PKCE support from
 * `code_challenge_methods_supported` (RFC 8414 §2) and MUST refuse to proceed when it is absent; Sherpa
 * always uses S256, so S256 must be listed. One exception, by issuer shape only: an Entra ID v2.0 tenant
 * issuer (`https://login.microsoftonline.com/{tenant}/v2.0` and the other Entra hosts — which includes the
 * lab's Entra mode). Entra's OpenID metadata omits the field although Entra supports and enforces S256;
 * every MCP client that works with Entra makes this exception. A 2025-03-26 server predates the rule.
 */
export function assertPkceAdvertised(as: LearntAuthorizationServer): void {
  const methods = as.metadata.code_challenge_methods_supported;
  if (methods?.includes('S256')) return;
  if (methods === undefined && isEntraV2TenantIssuer(as.issuer)) return;
  throw new SherpaError(
    'AS_METADATA_INVALID',
    methods === undefined
      ? `Authorization server ${as.issuer} does not advertise code_challenge_methods_supported: no PKCE support can be assumed`
      : `Authorization server ${as.issuer} does not list S256 in code_challenge_methods_supported (${methods.join(', ')})`,
    {
      hint: 'The MCP authorization spec requires the authorization server to advertise PKCE S256 (RFC 8414 §2 code_challenge_methods_supported: ["S256"]); Sherpa refuses to sign in without it. Fix the server\'s metadata.',
      details: { issuer: as.issuer, code_challenge_methods_supported: methods ?? null },
    },
  );
}

async function discover(issuer: string, fetch: GuardedFetch): Promise<LearntAuthorizationServer> {
  const a = await discoverAuthorizationServer(issuer, {
    clientId: 'discovery',
    fetch: fetch as client.CustomFetch,
  });
  return { issuer, metadata: a.metadata, method: a.method };
}

/**
 * The scopes were checked with Entra's resource binding only if the issuer is Entra's (scope-policy.ts).
 * Metadata whose sign-in or token endpoint is Entra's under another issuer would get a Graph or Resource
 * Manager token past that check, from a genuine Microsoft sign-in page: refused (RFC 8414 §3.3 spirit).
 */
function assertNotEntraInDisguise(as: LearntAuthorizationServer): void {
  if (isEntraIssuer(as.issuer)) return;
  for (const field of [
    'authorization_endpoint',
    'token_endpoint',
    'device_authorization_endpoint',
  ] as const) {
    const value = as.metadata[field];
    if (typeof value === 'string' && isEntraIssuer(value)) {
      throw new SherpaError(
        'AS_ISSUER_MISMATCH',
        `Authorization server ${as.issuer} sends its ${field} to Entra ID (${new URL(value).host})`,
        {
          hint: 'An Entra ID authorization server has an Entra ID issuer (https://login.microsoftonline.com/{tenant}/v2.0); name that issuer in the PRM.',
          details: { issuer: as.issuer, field },
        },
      );
    }
  }
}

/** The scope-policy context for tokens of `resource` from `issuer`. */
export function scopeContextFor(
  resource: string,
  issuer: string,
  trustedApiIdentifiers: readonly string[] | undefined,
): ScopeContext {
  return {
    resource,
    entra: isEntraIssuer(issuer),
    ...(trustedApiIdentifiers ? { trustedApiIdentifiers } : {}),
  };
}
