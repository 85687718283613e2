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
 *
 * An authorization runs inside an MCP request (the 401 came on it), so it holds the MCP request clock
 * (mcp/request-clock.ts): a person signing in is measured by the sign-in budget (sign-in-budget.ts),
 * minutes and cancellable, never by the MCP server's 15 s.
 */
import type { DiscoveredProtectedResource } from '../discovery/protected-resource';
import { findBearerChallenge, type BearerChallenge } from '../discovery/www-authenticate';
import { SherpaError } from '../errors';
import { assertUrlAllowed, type GuardedFetch, type NetworkPolicy } from '../net/guarded-fetch';
import type { TokenSet } from '../token/token-set';
import type { ClientCredentials } from './client-auth';
import { chooseScopes } from './authorization-discovery';
import {
  grantFor,
  isInteractive,
  registerFor,
  summarizeClient,
  tokenConfiguration,
  asCancelled,
  credentialsPinnedToIssuer,
  engineFetches,
  type ClientSummary,
  type IssuerClient,
} from './authorization-config';
import type { GrantStrategy, TokenRequest } from './grant-strategy';
import { ConnectionBudget, retryLimitError, type TokenReason } from './retry-policy';
import type { LearntAuthorizationServer } from './resource-discovery';
import { grantedScopesOf, withOfflineAccess } from './scope-selection';
import { withinSignInBudget } from './sign-in-budget';
import { asStep, describeChallenge, describeRegistration, describeTokens, type StepListener } from './steps';
import type { RequestClock } from '../mcp/request-clock';
import { assertEntraResourceScope } from './scope-policy';
import { trustedApisFor, type TrustedApiIdentifiers } from './trusted-apis';
import { isEntraIssuer } from '../entra';

export type { LearntAuthorizationServer } from './resource-discovery';

export interface McpAuthorizationOptions {
  /** The MCP endpoint the person chose; PRM `resource` must equal it. */
  serverUrl: string;
  grant: GrantStrategy;
  /**
   * Pre-registered client (MCP "Preregistration"), used in preference to CIMD/DCR: the same for every
   * issuer (a secret only at the first, credentialsPinnedToIssuer), or per issuer — undefined where
   * nothing was registered (pre-registered-clients.ts).
   */
  credentials?: ClientCredentials | ((issuer: string) => ClientCredentials | undefined);
  /** https URL of this client's Client ID Metadata Document, used where the server supports CIMD. */
  clientMetadataUrl?: string;
  /** RFC 7591 client_name for DCR. */
  clientName?: string;
  /** How the person configures a pre-registered client id, for NO_CLIENT_REGISTRATION's hint. */
  preRegistrationHint?: string;
  /** How long a person has to sign in (default 5 min, sign-in-budget.ts); Cancel is `signal`. */
  signInTimeoutMs?: number;
  /** The MCP request clock, held while authorizing (connect-server.ts shares it with the session). */
  clock?: RequestClock;
  /**
   * Clients this app registered dynamically (RFC 7591), by issuer, kept across connects by the caller
   * (in memory): a second connect reuses the registration — and the sign-in session made with it —
   * instead of registering again. Pre-registered credentials are never taken from here.
   */
  registrations?: Map<string, IssuerClient>;
  /** Ask for a refresh token (offline_access where the server lists it, refresh_token grant type). */
  offlineAccess?: boolean;
  /**
   * 2025-03-26 "Fallbacks for Servers without Metadata Discovery": with no PRM and no metadata at all,
   * guess `{origin}/authorize`, `/token`, `/register`. Off by default: a server that answers 401 and
   * publishes nothing (the lab's static-token server) would otherwise get a browser opened at a made-up
   * URL; the conformance client turns it on. The legacy metadata document is always followed.
   */
  legacyDefaultEndpoints?: boolean;
  /**
   * On Entra: `api://…` identifier URIs the person trusts, per MCP server URL (trusted-apis.ts). Only the
   * entry for exactly `serverUrl` counts.
   */
  trustedApis?: TrustedApiIdentifiers;
  /** Resolve host names to check their addresses (default true); false where a proxy resolves them. */
  resolveNames?: boolean;
  onStep?: StepListener;
  /** Replaces both guarded fetches (metadata and MCP). */
  fetch?: GuardedFetch;
  /** Cancels discovery, registration and the grant (the MCP requests take it from connect-server.ts). */
  signal?: AbortSignal;
}

/** What the engine learnt; the CLI and the extension read it instead of discovering again. */
export interface AuthorizationState {
  /** The first challenge (the unauthenticated request's 401). */
  challenge?: BearerChallenge;
  /** Undefined for a 2025-03-26 server (no PRM). */
  prm?: DiscoveredProtectedResource;
  authorizationServer?: LearntAuthorizationServer;
  /** The client used at that issuer; its secret or key only ever goes into a TokenRequest. */
  client?: ClientSummary;
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

/** Creates the engine for one server; its state (discovery, clients per issuer, tokens) lives here. */
export function createMcpAuthorization(options: McpAuthorizationOptions): McpAuthorization {
  const { serverUrl } = options;
  const emit = options.onStep;
  let fetches: ReturnType<typeof engineFetches> | undefined;
  const guarded = () => (fetches ??= engineFetches(options));
  const state: AuthorizationState = { resource: serverUrl, scopes: [], authorizations: 0 };
  const clients = new Map<string, IssuerClient>();
  let current: IssuerClient | undefined;
  // Who issued state.tokens: a token (and its refresh token) only ever goes back to its own issuer.
  let tokensIssuer: string | undefined;
  const budget = new ConnectionBudget();
  let queue: Promise<unknown> = Promise.resolve();

  const grantedScopes = () => grantedScopesOf(state.tokens, state.scopes);
  const credentialsFor = credentialsPinnedToIssuer(options.credentials);
  // What the person trusts for THIS server; another server's trusted identifiers never apply here.
  const trustedApiIdentifiers = trustedApisFor(options.trustedApis, serverUrl);

  /** SEP-2352: a client_id belongs to the issuer that issued it; another issuer gets its own. */
  const clientAt = async (
    as: LearntAuthorizationServer,
    grant: GrantStrategy,
    credentials: ClientCredentials | undefined,
    metadataFetch: GuardedFetch,
  ): Promise<IssuerClient> => {
    if (current?.issuer === as.issuer) return current;
    const registered = credentials ? undefined : options.registrations?.get(as.issuer);
    current =
      clients.get(as.issuer) ??
      (await asStep(
        emit,
        'registration',
        async () => registered ?? registerFor(as.metadata, grant, { ...options, credentials }, metadataFetch),
        (c) => `${describeRegistration(c, c.authMethod)}${c === registered ? ', registered before' : ''}`,
      ));
    clients.set(as.issuer, current);
    if (current.source === 'dcr') options.registrations?.set(as.issuer, current);
    state.client = summarizeClient(current);
    return current;
  };

  const authorize = async (challenge: BearerChallenge | undefined, reason: TokenReason): Promise<void> => {
    state.authorizations++;
    const { metadata: metadataFetch, policy } = await guarded();
    let scopes = await chooseScopes(
      { options, state, tokensIssuer, trustedApiIdentifiers },
      challenge,
      reason,
      metadataFetch,
    );
    const as = state.authorizationServer!;
    const credentials = credentialsFor(as.issuer);
    const grant = grantFor(as.metadata, options.grant, credentials);
    const interactive = isInteractive(grant);
    scopes = await gateScopes(scopes, as, {
      interactive,
      offlineAccess: options.offlineAccess === true,
      resource: state.resource,
      trustedApiIdentifiers,
      ...(policy ? { policy } : {}),
    });
    const client = await clientAt(as, grant, credentials, metadataFetch);
    const request: TokenRequest = {
      serverUrl,
      issuer: as.issuer,
      config: await tokenConfiguration(as.metadata, client, metadataFetch),
      metadata: as.metadata,
      client,
      scopes,
      resource: state.resource,
      reason,
      ...(state.tokens && tokensIssuer === as.issuer ? { previous: state.tokens } : {}),
      ...(policy ? { addressPolicy: policy } : {}),
    };
    const getToken = () => obtainToken(grant, request, { interactive, ...options });
    const tokens = await asStep(emit, reason === 'initial' ? 'token' : reason, getToken, describeTokens);
    state.scopes = scopes;
    state.tokens = tokens;
    tokensIssuer = as.issuer;
    budget.obtained(tokens.accessToken, reason);
  };

  // One authorization at a time: requests that failed with the same token wait for it, then resend.
  // The MCP request clock stands still meanwhile: the person's time is not the MCP server's.
  const authorizeOnce = (challenge: BearerChallenge | undefined, reason: TokenReason, sentWith?: string) => {
    const run = queue.then(() => {
      if (state.tokens?.accessToken !== sentWith) return undefined;
      const work = () => authorize(challenge, reason);
      return options.clock ? options.clock.whileHeld(work) : work();
    });
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    fetch: authorizingFetch(options, { state, budget, guarded, authorizeOnce, grantedScopes }),
    state,
    grantedScopes,
  };
}

/**
 * The last gates before any registration or grant: the authorization endpoint a browser will open is
 * under the session's address policy (the guarded fetch never sees it); `offline_access` when asked for
 * an interactive grant and offered; on Entra, a scope of this resource (else it is a Microsoft Graph
 * sign-in, scope-policy.ts). Returns the scopes to request.
 */
async function gateScopes(
  scopes: string[],
  as: LearntAuthorizationServer,
  o: {
    interactive: boolean;
    offlineAccess: boolean;
    resource: string;
    trustedApiIdentifiers: readonly string[];
    policy?: NetworkPolicy;
  },
): Promise<string[]> {
  if (o.policy && o.interactive && as.metadata.authorization_endpoint) {
    await assertUrlAllowed(as.metadata.authorization_endpoint, o.policy);
  }
  const out = withOfflineAccess(scopes, as.metadata.scopes_supported, o.offlineAccess && o.interactive);
  if (isEntraIssuer(as.issuer)) {
    assertEntraResourceScope(out, {
      resource: o.resource,
      trustedApiIdentifiers: o.trustedApiIdentifiers,
      stage: 'token request',
    });
  }
  return out;
}

/**
 * The grant run once: a person signs in within the sign-in budget (minutes, and Cancel always works); a
 * machine grant is bounded by its own requests' timeouts, a device code by its expiry.
 */
function obtainToken(
  grant: GrantStrategy,
  request: TokenRequest,
  o: { interactive: boolean; signInTimeoutMs?: number; signal?: AbortSignal },
): Promise<TokenSet> {
  const { signal } = o;
  if (!o.interactive) return grant.getToken({ ...request, ...(signal ? { signal } : {}) });
  return withinSignInBudget((s) => grant.getToken({ ...request, signal: s }), {
    at: request.issuer,
    ...(o.signInTimeoutMs !== undefined ? { timeoutMs: o.signInTimeoutMs } : {}),
    ...(signal ? { signal } : {}),
  });
}

interface FetchParts {
  state: AuthorizationState;
  budget: ConnectionBudget;
  guarded: () => ReturnType<typeof engineFetches>;
  authorizeOnce: (c: BearerChallenge | undefined, r: TokenReason, sentWith?: string) => Promise<void>;
  grantedScopes: () => string[];
}

/**
 * The fetch under the MCP transport: sends the current token to this server only, and on 401/403 asks
 * the retry policy whether to pass the answer on, authorize (retry, step-up) and resend, or give up.
 */
function authorizingFetch(options: McpAuthorizationOptions, parts: FetchParts): GuardedFetch {
  const { serverUrl, signal } = options;
  const { state, budget, guarded } = parts;
  const emit = options.onStep;
  const serverOrigin = new URL(serverUrl).origin;
  let probed = false;
  return async (input, init) => {
    // The token is for this server only: never attach it to a request for another origin.
    const target = new URL(input instanceof Request ? input.url : input);
    if (target.origin !== serverOrigin) {
      throw new SherpaError('UNSAFE_URL', `Refusing to send ${serverUrl}'s token to ${target.origin}`);
    }
    const attempts = { authorizations: 0, retries: 0 };
    for (;;) {
      const sentWith = state.tokens?.accessToken;
      const headers = new Headers(init?.headers);
      if (sentWith) headers.set('authorization', `Bearer ${sentWith}`);
      const res = await (await guarded()).mcp(input, { ...init, headers });
      if (res.status !== 401 && res.status !== 403) {
        budget.acceptedWith(sentWith);
        return res;
      }

      const challenge = findBearerChallenge(res.headers.get('www-authenticate'));
      if (!sentWith && !probed) {
        probed = true;
        if (challenge) state.challenge = challenge;
        emit?.({ step: 'probe', status: 'ok', detail: describeChallenge(res.status, challenge) });
      }
      const decision = budget.decide(
        { status: res.status, challenge, sentToken: sentWith !== undefined, sentWith },
        attempts,
        parts.grantedScopes(),
      );
      if (decision.action === 'pass') return res;
      if (decision.action === 'give-up') {
        await res.body?.cancel();
        const step = res.status === 403 ? 'step-up' : 'retry';
        emit?.({ step, status: 'fail', detail: `${decision.why}: giving up` });
        throw retryLimitError(serverUrl, res.status, decision.why, challenge, state.authorizations);
      }
      attempts.authorizations++;
      if (decision.reason === 'retry') attempts.retries++;
      await res.body?.cancel();
      await parts.authorizeOnce(challenge, decision.reason, sentWith).catch((err: unknown) => {
        throw asCancelled(err, signal);
      });
    }
  };
}

export { publicClient } from './authorization-config';
