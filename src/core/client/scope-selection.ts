/**
 * Which scope to request (MCP authorization spec 2025-11-25 "Scope Selection Strategy"):
 *   1. the `scope` of the WWW-Authenticate challenge (RFC 6750 §3), else
 *   2. every scope in the PRM `scopes_supported` (RFC 9728 §2), else
 *   3. no scope parameter at all (the server applies its default).
 * On step-up (403 insufficient_scope, "Scope Challenge Handling") the new challenge's scopes are added
 * to the ones already held, so the new token does not lose what the old one could do.
 * `offline_access` is added only when the authorization server lists it in its `scopes_supported`
 * (SEP-2207): asking a server for a scope it does not know makes some of them fail the request.
 */

export interface SelectScopesOptions {
  challengeScope?: string;
  prmScopesSupported?: readonly string[];
  /** RFC 8414 §2 `scopes_supported` of the authorization server. */
  asScopesSupported?: readonly string[];
  /** Scopes requested earlier for this resource (kept on step-up). */
  previous?: readonly string[];
  /** The client wants a refresh token. */
  offlineAccess?: boolean;
}

/** Returns the scopes to request; an empty list means "omit the scope parameter". */
export function selectScopes(options: SelectScopesOptions): string[] {
  const fromChallenge = splitScope(options.challengeScope);
  const base = fromChallenge.length > 0 ? fromChallenge : [...(options.prmScopesSupported ?? [])];
  const scopes = new Set([...(options.previous ?? []), ...base]);
  if (options.offlineAccess && options.asScopesSupported?.includes('offline_access') && scopes.size > 0) {
    scopes.add('offline_access');
  }
  return [...scopes];
}

/** RFC 6749 §3.3: scope is a space-delimited list. */
export function splitScope(scope: string | undefined): string[] {
  return (scope ?? '').split(' ').filter(Boolean);
}
