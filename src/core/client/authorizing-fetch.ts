/**
 * A `fetch` for the MCP SDK's Streamable HTTP transport that authorizes itself, following the MCP
 * authorization spec (2025-11-25 "Authorization Flow Steps"): a 401 with a Bearer challenge (RFC 6750
 * §3) starts discovery — Protected Resource Metadata (RFC 9728, resource checked per §3.3), then
 * authorization server metadata (RFC 8414 / OIDC) — obtains a client (pre-registered, CIMD or RFC 7591
 * DCR), gets a token with the configured grant and retries the request with it. A 403
 * `insufficient_scope` (RFC 6750 §3.1) triggers step-up with the challenged scopes added.
 *
 * Every 401 re-runs discovery from the PRM, so a server that moves to another authorization server is
 * followed, and a client_id is only ever used at the issuer that issued it (SEP-2352). Re-authorization
 * is bounded per request, so a server that never accepts the token cannot make the client loop.
 * Servers without any PRM are treated per the 2025-03-26 spec (see legacy-authorization-server.ts).
 */
import * as client from 'openid-client';
import { discoverAuthorizationServer } from '../discovery/as-metadata';
import { loginWithAuthorizationCode } from '../grants/authorization-code';
import { createClientAuth, selectTokenEndpointAuthMethod, type ClientCredentials } from './client-auth';
import { requestClientCredentialsToken } from '../grants/client-credentials';
import { obtainClient, type RegisteredClient } from './client-registration';
import { exchangeIdJag, JWT_BEARER_GRANT, requestIdJag } from '../grants/cross-app-access';
import { isSherpaError } from '../errors';
import { discoverLegacyAuthorizationServer } from '../discovery/legacy-authorization-server';
import { createMcpFetch } from '../mcp/mcp-connect';
import { createGuardedFetch, networkPolicyFor } from '../net/guarded-fetch';
import { discoverProtectedResource } from '../discovery/protected-resource';
import { assertServerScopes } from './scope-policy';
import { isEntraIssuer } from '../entra';
import { selectScopes, splitScope } from './scope-selection';
import type { TokenSet } from '../token/token-set';
import { isLoopbackHost } from '../url';
import { findBearerChallenge, type BearerChallenge } from '../discovery/www-authenticate';

/** How to get a token once the client is known. */
export type GrantStrategy =
  | {
      kind: 'authorization-code';
      /** Shows the authorization URL (a browser, or a headless driver in tests). */
      openBrowser: (url: URL) => void | Promise<void>;
      timeoutMs?: number;
    }
  | { kind: 'client-credentials' }
  | {
      kind: 'cross-app-access';
      /** The user's ID token from the enterprise IdP, and that IdP's issuer and client id. */
      idToken: string;
      idpIssuer: string;
      idpClientId: string;
    };

export interface AuthorizingFetchOptions {
  /** The MCP endpoint; PRM `resource` must equal it. */
  serverUrl: string;
  grant: GrantStrategy;
  /** Pre-registered credentials (MCP "Preregistration"); used in preference to CIMD/DCR. */
  credentials?: ClientCredentials;
  /** https URL of this client's Client ID Metadata Document, used where the server supports CIMD. */
  clientMetadataUrl?: string;
  clientName?: string;
  /** Ask for a refresh token (offline_access where the server lists it, refresh_token grant type). */
  offlineAccess?: boolean;
  /** Authorizations one request may trigger before its failure is returned (default 3). */
  maxAuthorizationsPerRequest?: number;
  /** One line per step for a person to read; never contains a token. */
  onStep?: (line: string) => void;
  fetch?: typeof fetch;
}

export interface AuthorizingFetch {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** The tokens currently held (undefined until the first authorization). */
  readonly tokens: TokenSet | undefined;
  /** How many authorizations ran in total. */
  readonly authorizations: number;
}

// RFC 8252 §7.3: the port of a loopback redirect URI may vary, so the registered URI carries none.
const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';

/** Creates the authorizing fetch; state (tokens, registered clients per issuer) lives in the closure. */
export function createAuthorizingFetch(options: AuthorizingFetchOptions): AuthorizingFetch {
  // Two guarded fetches with one policy made from the server URL (net/guarded-fetch.ts): bounded
  // metadata/OAuth requests, and the MCP transport's (event streams allowed). `options.fetch` replaces both.
  let fetches: Promise<{ metadata: typeof fetch; mcp: typeof fetch }> | undefined;
  const guarded = () =>
    (fetches ??= options.fetch
      ? Promise.resolve({ metadata: options.fetch, mcp: options.fetch })
      : networkPolicyFor(options.serverUrl).then((policy) => ({
          metadata: createGuardedFetch(policy),
          mcp: createMcpFetch(policy),
        })));
  const log = options.onStep ?? (() => undefined);
  const max = options.maxAuthorizationsPerRequest ?? 3;
  const clients = new Map<string, RegisteredClient>();
  let tokens: TokenSet | undefined;
  let scopes: string[] = [];
  let total = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const authorize = async (challenge: BearerChallenge | undefined, stepUp: boolean): Promise<void> => {
    total++;
    let resource: string | undefined;
    let prmScopes: string[] | undefined;
    let metadata: client.ServerMetadata;
    const baseFetch = (await guarded()).metadata;
    let entra = false;
    try {
      const prm = await discoverProtectedResource(options.serverUrl, {
        ...(challenge?.resourceMetadata ? { resourceMetadataUrl: challenge.resourceMetadata } : {}),
        fetch: baseFetch,
      });
      resource = prm.metadata.resource;
      prmScopes = prm.metadata.scopes_supported;
      const issuer = prm.metadata.authorization_servers[0]!;
      log(`PRM ${prm.metadataUrl} (${prm.source}): resource ${resource}, authorization server ${issuer}`);
      const as = await discoverAuthorizationServer(issuer, {
        clientId: 'discovery',
        fetch: baseFetch as client.CustomFetch,
      });
      metadata = { ...as.metadata };
      entra = isEntraIssuer(metadata.issuer);
      log(`authorization server ${metadata.issuer} via ${as.method}`);
    } catch (err) {
      if (!isSherpaError(err, 'PRM_NOT_FOUND')) throw err;
      const legacy = await discoverLegacyAuthorizationServer(options.serverUrl, {
        fetch: baseFetch as client.CustomFetch,
      });
      metadata = legacy.metadata;
      log(`no PRM: 2025-03-26 fallback, authorization server ${metadata.issuer} via ${legacy.method}`);
    }

    scopes = selectScopes({
      challengeScope: challenge?.scope,
      ...(prmScopes ? { prmScopesSupported: prmScopes } : {}),
      ...(metadata.scopes_supported ? { asScopesSupported: metadata.scopes_supported } : {}),
      previous: stepUp ? scopes : [],
      offlineAccess: options.offlineAccess === true && grantFor(metadata).kind === 'authorization-code',
    });
    // The challenge and the PRM are the server's words: no pseudo-scopes, nothing of another resource.
    assertServerScopes(scopes, {
      source: challenge?.scope ? (stepUp ? 'step-up challenge' : 'challenge') : 'protected-resource-metadata',
      resource: resource ?? options.serverUrl,
      entra,
    });

    const grant = grantFor(metadata);
    const registered = clients.get(metadata.issuer) ?? (await registerFor(metadata, grant, baseFetch));
    clients.set(metadata.issuer, registered);
    const method = selectTokenEndpointAuthMethod(metadata.token_endpoint_auth_methods_supported, registered);
    const config = new client.Configuration(
      metadata,
      registered.clientId,
      { token_endpoint_auth_method: method },
      await createClientAuth(method, registered),
    );
    config[client.customFetch] = baseFetch as client.CustomFetch;
    allowLoopbackHttp(config, metadata.issuer);
    log(`client ${registered.source} (${method}); scope ${scopes.join(' ') || '(omitted)'}`);

    tokens = await requestTokens(grant, config, metadata, resource);
    log(`token received${tokens.scope ? ` (scope ${tokens.scope})` : ''}`);
  };

  /**
   * A client holding a secret or key, facing a server that offers only client_credentials (RFC 8414 §2
   * grant_types_supported), is a machine client (SEP-1046): no person is there to sign in.
   */
  const grantFor = (metadata: client.ServerMetadata): GrantStrategy => {
    const offered = metadata.grant_types_supported;
    const hasCredential = Boolean(options.credentials?.clientSecret || options.credentials?.privateKeyPem);
    if (
      options.grant.kind === 'authorization-code' &&
      hasCredential &&
      offered?.includes('client_credentials') &&
      !offered.includes('authorization_code')
    ) {
      return { kind: 'client-credentials' };
    }
    return options.grant;
  };

  const registerFor = (metadata: client.ServerMetadata, grant: GrantStrategy, baseFetch: typeof fetch) => {
    const grantTypes =
      grant.kind === 'client-credentials'
        ? ['client_credentials']
        : grant.kind === 'cross-app-access'
          ? [JWT_BEARER_GRANT]
          : ['authorization_code', ...(options.offlineAccess ? ['refresh_token'] : [])];
    return obtainClient(metadata, {
      ...(options.credentials ? { preRegistered: options.credentials } : {}),
      ...(options.clientMetadataUrl ? { clientMetadataUrl: options.clientMetadataUrl } : {}),
      redirectUris: [LOOPBACK_REDIRECT_URI],
      clientName: options.clientName ?? 'Sherpa',
      grantTypes,
      fetch: baseFetch,
    });
  };

  const requestTokens = async (
    grant: GrantStrategy,
    config: client.Configuration,
    metadata: client.ServerMetadata,
    resource: string | undefined,
  ): Promise<TokenSet> => {
    switch (grant.kind) {
      case 'authorization-code':
        return loginWithAuthorizationCode({
          config,
          scopes,
          ...(resource ? { resource } : {}),
          openBrowser: grant.openBrowser,
          ...(grant.timeoutMs !== undefined ? { timeoutMs: grant.timeoutMs } : {}),
        });
      case 'client-credentials':
        return requestClientCredentialsToken(config, { scopes, ...(resource ? { resource } : {}) });
      case 'cross-app-access': {
        const idp = await discoverAuthorizationServer(grant.idpIssuer, { clientId: grant.idpClientId });
        const idJag = await requestIdJag(idp.config, {
          idToken: grant.idToken,
          audience: metadata.issuer,
          resource: resource ?? options.serverUrl,
          scopes,
        });
        log(`ID-JAG received from ${grant.idpIssuer}`);
        return exchangeIdJag(config, idJag, { scopes, ...(resource ? { resource } : {}) });
      }
    }
  };

  // One authorization at a time: requests that failed with the same token wait for it and then retry.
  const authorizeOnce = (
    challenge: BearerChallenge | undefined,
    stepUp: boolean,
    sentWith: string | undefined,
  ) => {
    const run = queue.then(() =>
      tokens?.accessToken !== sentWith ? undefined : authorize(challenge, stepUp),
    );
    queue = run.catch(() => undefined);
    return run;
  };

  const authorizingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let attempts = 0;
    for (;;) {
      const sentWith = tokens?.accessToken;
      const headers = new Headers(init?.headers);
      if (sentWith) headers.set('authorization', `Bearer ${sentWith}`);
      const res = await (await guarded()).mcp(input, { ...init, headers });
      if (res.status !== 401 && res.status !== 403) return res;

      const challenge = findBearerChallenge(res.headers.get('www-authenticate'));
      const stepUp = res.status === 403;
      if (stepUp && challenge?.error !== 'insufficient_scope') return res;
      if (stepUp && sentWith && splitScope(challenge?.scope).every((s) => scopes.includes(s))) {
        // The token already carries every scope asked for: asking again cannot help (no auth loop).
        log(`403 insufficient_scope for scopes already granted (${challenge?.scope ?? ''}): giving up`);
        return res;
      }
      if (attempts >= max) {
        log(`${res.status} after ${attempts} authorizations for this request: giving up`);
        return res;
      }
      attempts++;
      await res.body?.cancel();
      log(
        `${res.status}${challenge?.error ? ` ${challenge.error}` : ''}: ${stepUp ? 'step-up' : 'authorizing'}`,
      );
      await authorizeOnce(challenge, stepUp, sentWith);
    }
  };

  return {
    fetch: authorizingFetch,
    get tokens() {
      return tokens;
    },
    get authorizations() {
      return total;
    },
  };
}

/** Plain http only towards loopback (the local lab, test servers): OAuth 2.1 §1.5. */
function allowLoopbackHttp(config: client.Configuration, issuer: string): void {
  const u = new URL(issuer);
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) client.allowInsecureRequests(config);
}
