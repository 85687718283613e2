/**
 * The engine's per-issuer plumbing, apart from its loop (mcp-authorization.ts): which grant to use,
 * how the client is obtained, and the openid-client Configuration a GrantStrategy gets. A client_id is
 * only ever used at the issuer that issued it (SEP-2352); a pre-registered client is MCP authorization
 * spec 2025-11-25 "Preregistration"; the machine-client switch is SEP-1046.
 */
import * as client from 'openid-client';
import { SherpaError, isSherpaError } from '../errors';
import { clientCredentialsGrant } from '../grants/strategies';
import { createMcpFetch } from '../mcp/mcp-connect';
import {
  createGuardedFetch,
  networkPolicyFor,
  type GuardedFetch,
  type NetworkPolicy,
} from '../net/guarded-fetch';
import { isLoopbackHost } from '../net/loopback';
import { createClientAuth, selectTokenEndpointAuthMethod, type ClientCredentials } from './client-auth';
import type { TokenEndpointAuthMethod } from './client-auth';
import { loopbackRedirectUri, reserveLoopbackPort } from '../grants/loopback-redirect';
import { obtainClient, type RegisteredClient, type RegistrationSource } from './client-registration';
import type { GrantStrategy } from './grant-strategy';

/** A client at one issuer, with the token endpoint auth method chosen for it (secrets included). */
export type IssuerClient = RegisteredClient & { authMethod: TokenEndpointAuthMethod };

/** What callers may see of a client: never its secret or private key. */
export interface ClientSummary {
  clientId: string;
  source: RegistrationSource;
  issuer: string;
  authMethod: TokenEndpointAuthMethod;
}

export function summarizeClient(c: IssuerClient): ClientSummary {
  return { clientId: c.clientId, source: c.source, issuer: c.issuer, authMethod: c.authMethod };
}

// RFC 8252 §7.3: the port of a loopback redirect URI may vary, so the registered URI carries none.
const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';

export interface ClientInputs {
  credentials?: ClientCredentials;
  clientMetadataUrl?: string;
  clientName?: string;
  offlineAccess?: boolean;
  preRegistrationHint?: string;
}

/**
 * SEP-1046: a client holding a secret or key, facing a server that offers only client_credentials
 * (RFC 8414 §2 grant_types_supported), is a machine client: no person is there to sign in.
 */
export function grantFor(
  metadata: Readonly<client.ServerMetadata>,
  grant: GrantStrategy,
  credentials: ClientCredentials | undefined,
): GrantStrategy {
  const offered = metadata.grant_types_supported;
  const hasCredential = Boolean(credentials?.clientSecret || credentials?.privateKeyPem);
  if (
    isInteractive(grant) &&
    hasCredential &&
    offered?.includes('client_credentials') &&
    !offered.includes('authorization_code')
  ) {
    return clientCredentialsGrant();
  }
  return grant;
}

/**
 * A grant that sends a person to an authorization endpoint (its first RFC 7591 grant type is
 * `authorization_code`): only such a grant asks for refresh tokens or may be switched by SEP-1046.
 */
export function isInteractive(grant: GrantStrategy): boolean {
  return grant.grantTypes[0] === 'authorization_code';
}

/** The client for this issuer (pre-registered, CIMD or RFC 7591 DCR), with its auth method chosen. */
export async function registerFor(
  metadata: Readonly<client.ServerMetadata>,
  grant: GrantStrategy,
  inputs: ClientInputs,
  fetch: GuardedFetch,
): Promise<IssuerClient> {
  const c = await obtainClient(metadata as client.ServerMetadata, {
    ...(inputs.credentials ? { preRegistered: inputs.credentials } : {}),
    ...(inputs.clientMetadataUrl ? { clientMetadataUrl: inputs.clientMetadataUrl } : {}),
    // RFC 8252 §7.3 lets the port vary, but some servers compare redirect URIs exactly (the MCP SDK's
    // demo server does): DCR registers one with a port reserved now, which the sign-in then listens on,
    // and the portless one for when that port is taken by then.
    redirectUris: [loopbackRedirectUri(await reserveLoopbackPort()), LOOPBACK_REDIRECT_URI],
    clientName: inputs.clientName ?? 'Sherpa',
    ...(inputs.preRegistrationHint ? { preRegistrationHint: inputs.preRegistrationHint } : {}),
    grantTypes: [
      ...grant.grantTypes,
      ...(inputs.offlineAccess && isInteractive(grant) ? ['refresh_token'] : []),
    ],
    fetch,
  });
  const authMethod = selectTokenEndpointAuthMethod(metadata.token_endpoint_auth_methods_supported, c);
  return { ...c, authMethod };
}

/** The openid-client Configuration for this issuer and client; every request goes through `fetch`. */
export async function tokenConfiguration(
  metadata: Readonly<client.ServerMetadata>,
  c: IssuerClient,
  fetch: GuardedFetch,
): Promise<client.Configuration> {
  const config = new client.Configuration(
    { ...metadata },
    c.clientId,
    { token_endpoint_auth_method: c.authMethod },
    await createClientAuth(c.authMethod, c),
  );
  config[client.customFetch] = fetch as client.CustomFetch;
  // Plain http only towards loopback (the local lab, test servers): OAuth 2.1 §1.5.
  const u = new URL(metadata.issuer);
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) client.allowInsecureRequests(config);
  return config;
}

/**
 * Pre-registered credentials holding a secret or key were configured for one authorization server, the
 * first the MCP server named; at any other (a SEP-2352 migration) they are not used, so the secret never
 * reaches another token endpoint. A public client id (no secret, no key) is the same everywhere. Given
 * as a function, the credentials are already per issuer.
 */
export function credentialsPinnedToIssuer(
  credentials: ClientCredentials | ((issuer: string) => ClientCredentials | undefined) | undefined,
): (issuer: string) => ClientCredentials | undefined {
  // Per issuer: each issuer's own registration, never another's.
  if (typeof credentials === 'function') return credentials;
  let pinned: string | undefined;
  return (issuer) => {
    if (!credentials?.clientSecret && !credentials?.privateKeyPem) return credentials;
    pinned ??= issuer;
    return pinned === issuer ? credentials : undefined;
  };
}

/**
 * A pre-registered public client (no secret, no key; MCP "Preregistration"): what VS Code's and
 * Sherpa's client ids are.
 */
export function publicClient(clientId: string): ClientCredentials {
  if (!clientId) throw new SherpaError('BAD_ARGUMENT', 'A client id is required');
  return { clientId, authMethod: 'none' };
}

/**
 * The engine's two guarded fetches, with one policy made from the server URL: bounded metadata/OAuth
 * requests (which the caller's signal cancels), and the MCP transport's (event streams allowed). The
 * policy itself too, for the URLs a grant opens instead of fetching (authorization endpoint, device page).
 */
export async function engineFetches(o: {
  serverUrl: string;
  fetch?: GuardedFetch;
  resolveNames?: boolean;
  signal?: AbortSignal;
}): Promise<{ metadata: GuardedFetch; mcp: GuardedFetch; policy?: NetworkPolicy }> {
  if (o.fetch) return { metadata: withSignal(o.fetch, o.signal), mcp: o.fetch };
  const policy = await networkPolicyFor(o.serverUrl, { resolve: o.resolveNames !== false });
  return {
    metadata: withSignal(createGuardedFetch(policy), o.signal),
    mcp: createMcpFetch(policy),
    policy,
  };
}

/** Whatever a cancelled discovery, registration or grant failed with, it was the cancel. */
export function asCancelled(err: unknown, signal: AbortSignal | undefined): unknown {
  if (!signal?.aborted || isSherpaError(err, 'LOGIN_ABORTED')) return err;
  return new SherpaError('LOGIN_ABORTED', 'Authorization was cancelled', { cause: err });
}

/** `fetch` with `signal` added to every request (openid-client and oauth4webapi pass their own timeouts). */
export function withSignal(fetch: GuardedFetch, signal: AbortSignal | undefined): GuardedFetch {
  if (!signal) return fetch;
  return (input, init) =>
    fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}
