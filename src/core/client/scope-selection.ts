/**
 * Which scope to request (MCP authorization spec 2025-11-25 "Scope Selection Strategy"), the engine's
 * only place for it:
 *   1. the `scope` of the WWW-Authenticate challenge (RFC 6750 §3), else
 *   2. every scope in the PRM `scopes_supported` (RFC 9728 §2), else
 *   3. no scope parameter at all (the server applies its default).
 * On step-up (403 insufficient_scope, "Scope Challenge Handling") the new challenge's scopes are added
 * to the ones already held, so the new token does not lose what the old one could do.
 * Both sources are the server's words, so every scope chosen from them passes scope-policy.ts first
 * (which throws UNTRUSTED_SCOPE); Sherpa's own additions (offline_access) come after that check.
 * On Entra ID the result must hold a scope of the resource (assertEntraResourceScope): "omit the scope" or
 * an OpenID-only list would be a Microsoft Graph token there.
 * `offline_access` is added only when the authorization server lists it in its `scopes_supported`
 * (SEP-2207): asking a server for a scope it does not know makes some of them fail the request.
 */
import { decodeToken, tokenScopes } from '../token/token-inspection';
import type { TokenSet } from '../token/token-set';
import { assertEntraResourceScope, assertServerScopes } from './scope-policy';

/** Which resource the scopes are for, and whether Entra's resource binding applies (scope-policy.ts). */
export interface ScopeContext {
  /** The validated PRM `resource` (RFC 9728 §3.3); for a 2025-03-26 server, the MCP server URL. */
  resource: string;
  entra: boolean;
  /** The identifiers trusted for THIS server only (trusted-apis.ts trustedApisFor). */
  trustedApiIdentifiers?: readonly string[];
}

export interface SelectScopesOptions {
  challengeScope?: string | undefined;
  prmScopesSupported?: readonly string[] | undefined;
  /** Scopes requested earlier for this resource: kept on step-up, dropped otherwise. */
  previous?: readonly string[];
  stepUp?: boolean;
  context: ScopeContext;
}

/**
 * Returns the scopes to request; an empty list means "omit the scope parameter". Throws UNTRUSTED_SCOPE
 * (scope-policy.ts) naming the source of a refused entry, and on Entra RESOURCE_SCOPE_MISSING when no
 * entry is a scope of the resource.
 */
export function selectScopes(o: SelectScopesOptions): string[] {
  const fromChallenge = splitScope(o.challengeScope);
  const check = (list: readonly string[], source: Parameters<typeof assertServerScopes>[1]['source']) =>
    assertServerScopes(list, {
      source,
      resource: o.context.resource,
      entra: o.context.entra,
      ...(o.context.trustedApiIdentifiers ? { trustedApiIdentifiers: o.context.trustedApiIdentifiers } : {}),
    });
  const base = fromChallenge.length
    ? check(fromChallenge, o.stepUp ? 'step-up challenge' : 'challenge')
    : o.prmScopesSupported?.length
      ? check(o.prmScopesSupported, 'protected-resource-metadata')
      : [];
  const scopes = [...new Set([...(o.stepUp ? (o.previous ?? []) : []), ...base])];
  if (o.context.entra) {
    assertEntraResourceScope(scopes, {
      resource: o.context.resource,
      ...(o.context.trustedApiIdentifiers ? { trustedApiIdentifiers: o.context.trustedApiIdentifiers } : {}),
      stage: fromChallenge.length ? 'challenge scope' : 'protected resource metadata scopes_supported',
    });
  }
  return scopes;
}

/**
 * Adds `offline_access` when the client wants a refresh token and the authorization server lists the
 * scope (RFC 8414 §2 `scopes_supported`, SEP-2207). Never turns "omit the scope" into a scope request.
 */
export function withOfflineAccess(
  scopes: readonly string[],
  asScopesSupported: readonly string[] | undefined,
  wanted: boolean,
): string[] {
  if (!wanted || scopes.length === 0 || !asScopesSupported?.includes('offline_access')) return [...scopes];
  return [...new Set([...scopes, 'offline_access'])];
}

/** RFC 6749 §3.3: scope is a space-delimited list. */
export function splitScope(scope: string | undefined): string[] {
  return (scope ?? '').split(' ').filter(Boolean);
}

/**
 * The scopes a token carries: the token response's `scope` (RFC 6749 §5.1), else its `scp`/`scope`
 * claims, else (an opaque token) the scopes that were requested for it.
 */
export function grantedScopesOf(tokens: TokenSet | undefined, requested: readonly string[]): string[] {
  if (!tokens) return [];
  if (tokens.scope) return splitScope(tokens.scope);
  try {
    const claims = decodeToken(tokens.accessToken).claims;
    if (claims.scp !== undefined || claims.scope !== undefined) return tokenScopes(claims);
  } catch {
    // opaque token: what was asked for is all that is known
  }
  return [...requested];
}
