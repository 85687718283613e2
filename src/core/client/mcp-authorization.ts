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
import type { DiscoveredProtectedResource } from '../discovery/protected-resource';
import { findBearerChallenge, type BearerChallenge } from '../discovery/www-authenticate';
import { SherpaError } from '../errors';
import { assertUrlAllowed, type GuardedFetch } from '../net/guarded-fetch';
import type { TokenSet } from '../token/token-set';
import type { ClientCredentials } from './client-auth';
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
import {
  discoverIssuer,
  discoverResource,
  scopeContextFor,
  type LearntAuthorizationServer,
} from './resource-discovery';
import { grantedScopesOf, selectScopes, withOfflineAccess } from './scope-selection';
import { assertEntraResourceScope } from './scope-policy';
import { trustedApisFor, type TrustedApiIdentifiers } from './trusted-apis';
import { isEntraIssuer } from '../entra';
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
  const { serverUrl, signal } = options;
  const emit = options.onStep;
  const serverOrigin = new URL(serverUrl).origin;
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

  /** PRM (or the 2025-03-26 fallback) and the scope choice, which is checked before any AS request. */
  const readResource = (challenge: BearerChallenge | undefined, metadataFetch: GuardedFetch) =>
    asStep(
      emit,
      'prm',
      async () => {
        const found = await discoverResource(serverUrl, challenge, {
          fetch: metadataFetch,
          ...(options.legacyDefaultEndpoints ? { legacyDefaultEndpoints: true } : {}),
          ...(signal ? { signal } : {}),
        });
        // The challenge and the PRM are the server's words: no pseudo-scopes, nothing of another resource.
        const scopes = selectScopes({
          challengeScope: challenge?.scope,
          prmScopesSupported: found.prm?.metadata.scopes_supported,
          context: scopeContextFor(found.resource, found.issuer, trustedApiIdentifiers),
        });
        return { ...found, scopes };
      },
      (r) =>
        r.prm
          ? describePrm(r.prm)
          : `no Protected Resource Metadata: 2025-03-26 server, authorization server ${r.issuer}`,
    );

  /** The scopes for this authorization, re-reading the PRM (and the AS, if it moved) unless stepping up. */
  const chooseScopes = async (
    challenge: BearerChallenge | undefined,
    reason: TokenReason,
    metadataFetch: GuardedFetch,
  ): Promise<string[]> => {
    if (reason === 'step-up' && state.authorizationServer) {
      const context = scopeContextFor(
        state.resource,
        state.authorizationServer.issuer,
        trustedApiIdentifiers,
      );
      return selectScopes({
        challengeScope: challenge?.scope,
        previous: state.scopes,
        stepUp: true,
        context,
      });
    }
    const found = await readResource(challenge, metadataFetch);
    // A retry for the same resource at the same issuer keeps what step-ups added: those scopes passed
    // the policy for this resource and issuer, and without them the next call needs another step-up.
    const keep = reason === 'retry' && found.issuer === tokensIssuer && found.resource === state.resource;
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
    return keep ? [...new Set([...state.scopes, ...found.scopes])] : found.scopes;
  };

  const authorize = async (challenge: BearerChallenge | undefined, reason: TokenReason): Promise<void> => {
    state.authorizations++;
    const { metadata: metadataFetch, policy } = await guarded();
    let scopes = await chooseScopes(challenge, reason, metadataFetch);
    const as = state.authorizationServer!;
    const credentials = credentialsFor(as.issuer);
    const grant = grantFor(as.metadata, options.grant, credentials);
    // The browser opens the authorization endpoint, so the guarded fetch never sees it: the session's
    // address policy applies to it here (no internal or metadata address unless the server is there).
    if (policy && isInteractive(grant) && as.metadata.authorization_endpoint) {
      await assertUrlAllowed(as.metadata.authorization_endpoint, policy);
    }
    scopes = withOfflineAccess(
      scopes,
      as.metadata.scopes_supported,
      options.offlineAccess === true && isInteractive(grant),
    );

    // SEP-2352: a client_id belongs to the issuer that issued it; another issuer gets its own.
    if (current?.issuer !== as.issuer) {
      current =
        clients.get(as.issuer) ??
        (await asStep(
          emit,
          'registration',
          () => registerFor(as.metadata, grant, { ...options, credentials }, metadataFetch),
          (c) => describeRegistration(c, c.authMethod),
        ));
      clients.set(as.issuer, current);
      state.client = summarizeClient(current);
    }
    // Last gate before any grant (browser, device code, VS Code's providers): on Entra, a sign-in without a
    // scope of this resource is a Microsoft Graph sign-in (scope-policy.ts).
    if (isEntraIssuer(as.issuer)) {
      assertEntraResourceScope(scopes, {
        resource: state.resource,
        trustedApiIdentifiers,
        stage: 'token request',
      });
    }
    const request: TokenRequest = {
      serverUrl,
      issuer: as.issuer,
      config: await tokenConfiguration(as.metadata, current, metadataFetch),
      metadata: as.metadata,
      client: current,
      scopes,
      resource: state.resource,
      reason,
      ...(state.tokens && tokensIssuer === as.issuer ? { previous: state.tokens } : {}),
      ...(policy ? { addressPolicy: policy } : {}),
      ...(signal ? { signal } : {}),
    };
    const tokens = await asStep(
      emit,
      reason === 'initial' ? 'token' : reason,
      () => grant.getToken(request),
      describeTokens,
    );
    state.scopes = scopes;
    state.tokens = tokens;
    tokensIssuer = as.issuer;
    budget.obtained(tokens.accessToken, reason);
  };

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
        grantedScopes(),
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
      await authorizeOnce(challenge, decision.reason, sentWith).catch((err: unknown) => {
        throw asCancelled(err, signal);
      });
    }
  };

  return { fetch: authorizingFetch, state, grantedScopes };
}

export { publicClient } from './authorization-config';
