/**
 * The MCP authorization engine: a `fetch` for the MCP SDK's Streamable HTTP transport that authorizes
 * itself, following the MCP authorization spec (2025-11-25 "Authorization Flow Steps"). A 401 with a
 * Bearer challenge (RFC 6750 §3) starts discovery — Protected Resource Metadata (RFC 9728, resource
 * checked per §3.3), then authorization server metadata (RFC 8414 / OIDC Discovery) — chooses the
 * scopes (scope-selection.ts through scope-policy.ts), obtains a client (pre-registered, CIMD or RFC 7591
 * DCR, client-registration.ts), gets a token with the caller's GrantStrategy and resends the request.
 * What a refusal leads to (retry, step-up, give up) is retry-policy.ts. The CLI, the extension, the
 * story and `sherpa conformance-client` all run this; connect-server.ts opens the MCP session on it.
 *
 * Discovery runs once per connect; a later 401 for a token re-reads only the PRM, and the AS metadata
 * and registration only when the PRM names another authorization server — a client_id is only ever
 * used at the issuer that issued it (SEP-2352). Servers without any PRM are treated per the 2025-03-26
 * spec (legacy-authorization-server.ts). The RFC 9207 `iss` check is openid-client's, in the code
 * exchange (grants/authorization-code.ts). Every request goes through core/net/guarded-fetch.ts.
 */
import * as client from 'openid-client';
import type { DiscoveredProtectedResource } from '../discovery/protected-resource';
import { findBearerChallenge, type BearerChallenge } from '../discovery/www-authenticate';
import { SherpaError } from '../errors';
import { clientCredentialsGrant } from '../grants/strategies';
import { createMcpFetch } from '../mcp/mcp-connect';
import { createGuardedFetch, networkPolicyFor, type GuardedFetch } from '../net/guarded-fetch';
import { decodeToken, tokenScopes } from '../token/token-inspection';
import type { TokenSet } from '../token/token-set';
import { isLoopbackHost } from '../url';
import { createClientAuth, selectTokenEndpointAuthMethod, type ClientCredentials } from './client-auth';
import type { TokenEndpointAuthMethod } from './client-auth';
import { obtainClient, type RegisteredClient } from './client-registration';
import type { GrantStrategy, TokenRequest } from './grant-strategy';
import {
  DEFAULT_RETRY_LIMITS,
  decideOnAuthFailure,
  type RetryLimits,
  type TokenReason,
} from './retry-policy';
import {
  discoverIssuer,
  discoverResource,
  scopeContextFor,
  type LearntAuthorizationServer,
} from './resource-discovery';
import { selectScopes, splitScope, withOfflineAccess } from './scope-selection';
import {
  asStep,
  describeAs,
  describeChallenge,
  describePrm,
  describeRegistration,
  describeTokens,
  type StepListener,
} from './steps';

export type { LearntAuthorizationServer } from './resource-discovery';

export interface McpAuthorizationOptions {
  /** The MCP endpoint the person chose; PRM `resource` must equal it. */
  serverUrl: string;
  grant: GrantStrategy;
  /** Pre-registered client (MCP "Preregistration"); used in preference to CIMD/DCR. */
  credentials?: ClientCredentials;
  /** https URL of this client's Client ID Metadata Document, used where the server supports CIMD. */
  clientMetadataUrl?: string;
  /** RFC 7591 client_name for DCR. */
  clientName?: string;
  /** Ask for a refresh token (offline_access where the server lists it, refresh_token grant type). */
  offlineAccess?: boolean;
  /**
   * 2025-03-26 "Fallbacks for Servers without Metadata Discovery": with no PRM and no metadata at all,
   * guess `{origin}/authorize`, `/token`, `/register`. Off by default: a server that answers 401 and
   * publishes nothing (the lab's static-token server) would otherwise get a browser opened at a made-up
   * URL; the conformance client turns it on. The legacy metadata document is always followed.
   */
  legacyDefaultEndpoints?: boolean;
  /** On Entra: `api://…` identifier URIs the person trusts as this server's API (scope-policy.ts). */
  trustedApiIdentifiers?: readonly string[];
  /** Resolve host names to check their addresses (default true); false where a proxy resolves them. */
  resolveNames?: boolean;
  limits?: Partial<RetryLimits>;
  onStep?: StepListener;
  /** Every new token set, with why it was obtained. */
  onTokens?: (tokens: TokenSet, reason: TokenReason) => void;
  /** Replaces both guarded fetches (metadata and MCP). */
  fetch?: GuardedFetch;
  signal?: AbortSignal;
}

/** What the engine learnt; the CLI and the extension read it instead of discovering again. */
export interface AuthorizationState {
  /** The first challenge (the unauthenticated request's 401). */
  challenge?: BearerChallenge;
  /** Undefined for a 2025-03-26 server (no PRM). */
  prm?: DiscoveredProtectedResource;
  authorizationServer?: LearntAuthorizationServer;
  client?: RegisteredClient & { authMethod: TokenEndpointAuthMethod };
  /** The resource the token is for: the PRM resource, else the server URL. */
  resource: string;
  /** Scopes requested for the current token (empty: the scope parameter was omitted). */
  scopes: string[];
  tokens?: TokenSet;
  /** Authorizations run in total. */
  authorizations: number;
}

export interface McpAuthorization {
  fetch: GuardedFetch;
  readonly state: Readonly<AuthorizationState>;
  /** The scopes the current token carries: its `scope` (RFC 6749 §5.1), its claims, else those requested. */
  grantedScopes(): string[];
}

// RFC 8252 §7.3: the port of a loopback redirect URI may vary, so the registered URI carries none.
const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';

/** Creates the engine for one server; its state (discovery, clients per issuer, tokens) lives here. */
export function createMcpAuthorization(options: McpAuthorizationOptions): McpAuthorization {
  const { serverUrl } = options;
  const emit = options.onStep;
  const limits = { ...DEFAULT_RETRY_LIMITS, ...options.limits };
  // Two guarded fetches with one policy made from the server URL: bounded metadata/OAuth requests, and
  // the MCP transport's (event streams allowed).
  let fetches: Promise<{ metadata: GuardedFetch; mcp: GuardedFetch }> | undefined;
  const guarded = () =>
    (fetches ??= options.fetch
      ? Promise.resolve({ metadata: options.fetch, mcp: options.fetch })
      : networkPolicyFor(serverUrl, { resolve: options.resolveNames !== false }).then((policy) => ({
          metadata: createGuardedFetch(policy),
          mcp: createMcpFetch(policy),
        })));
  const state: AuthorizationState = { resource: serverUrl, scopes: [], authorizations: 0 };
  const clients = new Map<string, RegisteredClient & { authMethod: TokenEndpointAuthMethod }>();
  let queue: Promise<unknown> = Promise.resolve();

  const grantedScopes = (): string[] => {
    const t = state.tokens;
    if (!t) return [];
    if (t.scope) return splitScope(t.scope);
    try {
      const claims = decodeToken(t.accessToken).claims;
      if (claims.scp !== undefined || claims.scope !== undefined) return tokenScopes(claims);
    } catch {
      // opaque token: what was asked for is all that is known
    }
    return state.scopes;
  };

  /** PRM (or the 2025-03-26 fallback) and the scope choice, which is checked before any AS request. */
  const readResource = (challenge: BearerChallenge | undefined, metadataFetch: GuardedFetch) =>
    asStep(
      emit,
      'prm',
      async () => {
        const found = await discoverResource(serverUrl, challenge, {
          fetch: metadataFetch,
          ...(options.legacyDefaultEndpoints ? { legacyDefaultEndpoints: true } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        // The challenge and the PRM are the server's words: no pseudo-scopes, nothing of another resource.
        const scopes = selectScopes({
          challengeScope: challenge?.scope,
          prmScopesSupported: found.prm?.metadata.scopes_supported,
          context: scopeContextFor(found.resource, found.issuer, options.trustedApiIdentifiers),
        });
        return { ...found, scopes };
      },
      (r) =>
        r.prm
          ? describePrm(r.prm)
          : `no Protected Resource Metadata: 2025-03-26 server, authorization server ${r.issuer}`,
    );

  const authorize = async (challenge: BearerChallenge | undefined, reason: TokenReason): Promise<void> => {
    state.authorizations++;
    const metadataFetch = (await guarded()).metadata;
    let scopes: string[];
    if (reason === 'step-up' && state.authorizationServer) {
      scopes = selectScopes({
        challengeScope: challenge?.scope,
        previous: state.scopes,
        stepUp: true,
        context: scopeContextFor(
          state.resource,
          state.authorizationServer.issuer,
          options.trustedApiIdentifiers,
        ),
      });
    } else {
      const found = await readResource(challenge, metadataFetch);
      scopes = found.scopes;
      if (found.prm) state.prm = found.prm;
      else delete state.prm;
      state.resource = found.resource;
      if (state.authorizationServer?.issuer !== found.issuer) {
        state.authorizationServer = await asStep(
          emit,
          'as-metadata',
          () => discoverIssuer(found, metadataFetch),
          describeAs,
        );
      }
    }
    const as = state.authorizationServer!;
    const grant = grantFor(as.metadata);
    scopes = withOfflineAccess(
      scopes,
      as.metadata.scopes_supported,
      options.offlineAccess === true && isInteractive(grant),
    );

    if (state.client?.issuer !== as.issuer) {
      state.client =
        clients.get(as.issuer) ??
        (await asStep(
          emit,
          'registration',
          async () => {
            const c = await registerFor(as.metadata, grant, metadataFetch);
            const method = selectTokenEndpointAuthMethod(
              as.metadata.token_endpoint_auth_methods_supported,
              c,
            );
            return { ...c, authMethod: method };
          },
          (c) => describeRegistration(c, c.authMethod),
        ));
      clients.set(as.issuer, state.client);
    }
    const c = state.client!;
    const config = new client.Configuration(
      { ...as.metadata },
      c.clientId,
      { token_endpoint_auth_method: c.authMethod },
      await createClientAuth(c.authMethod, c),
    );
    config[client.customFetch] = metadataFetch as client.CustomFetch;
    allowLoopbackHttp(config, as.metadata.issuer);

    const request: TokenRequest = {
      issuer: as.issuer,
      config,
      metadata: as.metadata,
      client: c,
      scopes,
      resource: state.resource,
      reason,
      ...(state.tokens ? { previous: state.tokens } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const tokens = await asStep(
      emit,
      reason === 'initial' ? 'token' : reason,
      () => grant.getToken(request),
      describeTokens,
    );
    state.scopes = scopes;
    state.tokens = tokens;
    options.onTokens?.(tokens, reason);
  };

  /**
   * A client holding a secret or key, facing a server that offers only client_credentials (RFC 8414 §2
   * grant_types_supported), is a machine client (SEP-1046): no person is there to sign in.
   */
  const grantFor = (metadata: Readonly<client.ServerMetadata>): GrantStrategy => {
    const offered = metadata.grant_types_supported;
    const hasCredential = Boolean(options.credentials?.clientSecret || options.credentials?.privateKeyPem);
    if (
      isInteractive(options.grant) &&
      hasCredential &&
      offered?.includes('client_credentials') &&
      !offered.includes('authorization_code')
    ) {
      return clientCredentialsGrant();
    }
    return options.grant;
  };

  const registerFor = (
    metadata: Readonly<client.ServerMetadata>,
    grant: GrantStrategy,
    metadataFetch: GuardedFetch,
  ) =>
    obtainClient(metadata as client.ServerMetadata, {
      ...(options.credentials ? { preRegistered: options.credentials } : {}),
      ...(options.clientMetadataUrl ? { clientMetadataUrl: options.clientMetadataUrl } : {}),
      redirectUris: [LOOPBACK_REDIRECT_URI],
      clientName: options.clientName ?? 'Sherpa',
      grantTypes: [
        ...grant.grantTypes,
        ...(options.offlineAccess && isInteractive(grant) ? ['refresh_token'] : []),
      ],
      fetch: metadataFetch,
    });

  // One authorization at a time: requests that failed with the same token wait for it, then resend.
  const authorizeOnce = (challenge: BearerChallenge | undefined, reason: TokenReason, sentWith?: string) => {
    const run = queue.then(() =>
      state.tokens?.accessToken !== sentWith ? undefined : authorize(challenge, reason),
    );
    queue = run.catch(() => undefined);
    return run;
  };

  let probed = false;
  const authorizingFetch: GuardedFetch = async (input, init) => {
    const attempts = { authorizations: 0, retries: 0 };
    for (;;) {
      const sentWith = state.tokens?.accessToken;
      const headers = new Headers(init?.headers);
      if (sentWith) headers.set('authorization', `Bearer ${sentWith}`);
      const res = await (await guarded()).mcp(input, { ...init, headers });
      if (res.status !== 401 && res.status !== 403) return res;

      const challenge = findBearerChallenge(res.headers.get('www-authenticate'));
      if (!sentWith && !probed) {
        probed = true;
        if (challenge) state.challenge = challenge;
        emit?.({ step: 'probe', status: 'ok', detail: describeChallenge(res.status, challenge) });
      }
      const decision = decideOnAuthFailure(
        { status: res.status, challenge, sentToken: sentWith !== undefined },
        attempts,
        grantedScopes(),
        limits,
      );
      if (decision.action === 'pass') return res;
      if (decision.action === 'give-up') {
        emit?.({
          step: res.status === 403 ? 'step-up' : 'retry',
          status: 'fail',
          detail: `${decision.why}: giving up`,
        });
        return res;
      }
      attempts.authorizations++;
      if (decision.reason === 'retry') attempts.retries++;
      await res.body?.cancel();
      await authorizeOnce(challenge, decision.reason, sentWith);
    }
  };

  return { fetch: authorizingFetch, state, grantedScopes };
}

function isInteractive(grant: GrantStrategy): boolean {
  return grant.grantTypes[0] === 'authorization_code';
}

/** Plain http only towards loopback (the local lab, test servers): OAuth 2.1 §1.5. */
function allowLoopbackHttp(config: client.Configuration, issuer: string): void {
  const u = new URL(issuer);
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) client.allowInsecureRequests(config);
}

/** A pre-registered public client (no secret, no key): what VS Code's and Sherpa's client ids are. */
export function publicClient(clientId: string): ClientCredentials {
  if (!clientId) throw new SherpaError('BAD_ARGUMENT', 'A client id is required');
  return { clientId, authMethod: 'none' };
}
