/**
 * The engine's discovery step for one authorization (mcp-authorization.ts): Protected Resource Metadata
 * (RFC 9728, or the 2025-03-26 fallback), the scope choice — checked before any authorization server
 * request — and the authorization server metadata (RFC 8414 / OIDC Discovery) when the issuer changed.
 * A step-up keeps everything and only adds the challenge's scope (RFC 6750 §3.1).
 */
import type { BearerChallenge } from '../discovery/www-authenticate';
import type { GuardedFetch } from '../net/guarded-fetch';
import type { AuthorizationState, McpAuthorizationOptions } from './mcp-authorization';
import { discoverIssuer, discoverResource, scopeContextFor } from './resource-discovery';
import type { TokenReason } from './retry-policy';
import { selectScopes } from './scope-selection';
import { asStep, describeAs, describePrm } from './steps';

/** What the discovery step reads and updates: the engine's options and state. */
export interface DiscoveryContext {
  options: McpAuthorizationOptions;
  state: AuthorizationState;
  /** The issuer of the current tokens, if any. */
  tokensIssuer: string | undefined;
  /** The `api://` identifiers the person trusts for THIS server (trusted-apis.ts); never another's. */
  trustedApiIdentifiers: readonly string[];
}

/** PRM (or the 2025-03-26 fallback) and the scope choice, which is checked before any AS request. */
function readResource(
  ctx: DiscoveryContext,
  challenge: BearerChallenge | undefined,
  metadataFetch: GuardedFetch,
) {
  const { options } = ctx;
  return asStep(
    options.onStep,
    'prm',
    async () => {
      const found = await discoverResource(options.serverUrl, challenge, {
        fetch: metadataFetch,
        ...(options.legacyDefaultEndpoints ? { legacyDefaultEndpoints: true } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      // The challenge and the PRM are the server's words: no pseudo-scopes, nothing of another resource.
      const scopes = selectScopes({
        challengeScope: challenge?.scope,
        prmScopesSupported: found.prm?.metadata.scopes_supported,
        context: scopeContextFor(found.resource, found.issuer, ctx.trustedApiIdentifiers),
      });
      return { ...found, scopes };
    },
    (r) =>
      r.prm
        ? describePrm(r.prm)
        : `no Protected Resource Metadata: 2025-03-26 server, authorization server ${r.issuer}`,
  );
}

/**
 * The scopes for this authorization, re-reading the PRM (and the AS metadata, if the issuer moved)
 * unless stepping up. Updates `ctx.state` (prm, resource, authorizationServer).
 */
export async function chooseScopes(
  ctx: DiscoveryContext,
  challenge: BearerChallenge | undefined,
  reason: TokenReason,
  metadataFetch: GuardedFetch,
): Promise<string[]> {
  const { state, options } = ctx;
  if (reason === 'step-up' && state.authorizationServer) {
    const context = scopeContextFor(
      state.resource,
      state.authorizationServer.issuer,
      ctx.trustedApiIdentifiers,
    );
    return selectScopes({ challengeScope: challenge?.scope, previous: state.scopes, stepUp: true, context });
  }
  const found = await readResource(ctx, challenge, metadataFetch);
  // A retry for the same resource at the same issuer keeps what step-ups added: those scopes passed
  // the policy for this resource and issuer, and without them the next call needs another step-up.
  const keep = reason === 'retry' && found.issuer === ctx.tokensIssuer && found.resource === state.resource;
  if (found.prm) state.prm = found.prm;
  else delete state.prm;
  state.resource = found.resource;
  if (state.authorizationServer?.issuer !== found.issuer) {
    state.authorizationServer = await asStep(
      options.onStep,
      'as-metadata',
      () => discoverIssuer(found, metadataFetch),
      describeAs,
    );
  }
  return keep ? [...new Set([...state.scopes, ...found.scopes])] : found.scopes;
}
