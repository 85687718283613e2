/**
 * What the engine does with an MCP response that refuses its token, as a pure decision so the limits
 * can be tested on their own (MCP authorization spec 2025-11-25 "Authorization Flow Steps" and "Scope
 * Challenge Handling"; RFC 6750 §3.1 error codes):
 *  - 401 without a token: the first authorization (`initial`);
 *  - 401 with a token: one silent re-authorization (`retry`: the token expired or was revoked, or the
 *    server moved to another authorization server), then the 401 is returned;
 *  - 403 `insufficient_scope`: step-up with the challenged scopes — unless the token already carries every
 *    one of them, because asking again cannot help and a server could otherwise make the client loop;
 *  - any other 403 is the server's answer, not an authorization problem.
 * Every request is bounded: after `maxAuthorizationsPerRequest` authorizations its failure is returned.
 */
import type { BearerChallenge } from '../discovery/www-authenticate';
import { splitScope } from './scope-selection';

export type TokenReason = 'initial' | 'retry' | 'step-up';

export interface RetryLimits {
  /** Authorizations one request may trigger before its failure is returned (default 3). */
  maxAuthorizationsPerRequest: number;
  /** Re-authorizations after a 401 for a token, per request (default 1: "one silent retry"). */
  maxRetriesPerRequest: number;
}

export const DEFAULT_RETRY_LIMITS: RetryLimits = { maxAuthorizationsPerRequest: 3, maxRetriesPerRequest: 1 };

export interface AuthFailure {
  status: number;
  challenge?: BearerChallenge | undefined;
  /** The request carried a bearer token. */
  sentToken: boolean;
}

/** What this one request has already triggered. */
export interface RequestAttempts {
  authorizations: number;
  retries: number;
}

export type AuthDecision =
  { action: 'pass' } | { action: 'authorize'; reason: TokenReason } | { action: 'give-up'; why: string };

/**
 * Decides for one response. `grantedScopes` are the scopes of the token that was sent (the token
 * response's `scope`, RFC 6749 §5.1, else what was requested).
 */
export function decideOnAuthFailure(
  failure: AuthFailure,
  attempts: RequestAttempts,
  grantedScopes: readonly string[],
  limits: RetryLimits = DEFAULT_RETRY_LIMITS,
): AuthDecision {
  const { status, challenge, sentToken } = failure;
  if (status !== 401 && status !== 403) return { action: 'pass' };
  if (status === 403 && challenge?.error !== 'insufficient_scope') return { action: 'pass' };
  if (status === 403 && sentToken) {
    const asked = splitScope(challenge?.scope);
    if (asked.every((s) => isGranted(s, grantedScopes))) {
      return {
        action: 'give-up',
        why: `403 insufficient_scope for scopes the token already has (${challenge?.scope ?? 'none named'})`,
      };
    }
  }
  if (attempts.authorizations >= limits.maxAuthorizationsPerRequest) {
    return {
      action: 'give-up',
      why: `${status} after ${attempts.authorizations} authorizations for this request`,
    };
  }
  if (status === 401 && sentToken && attempts.retries >= limits.maxRetriesPerRequest) {
    return { action: 'give-up', why: '401 again for a freshly obtained token' };
  }
  return { action: 'authorize', reason: status === 403 ? 'step-up' : sentToken ? 'retry' : 'initial' };
}

/**
 * Entra writes a delegated scope into `scp` without its resource (`api://…/access_as_user` is granted as
 * `access_as_user`), so a challenged `{resource}/name` counts as granted when the token lists `name`.
 */
function isGranted(scope: string, granted: readonly string[]): boolean {
  if (granted.includes(scope)) return true;
  const cut = scope.lastIndexOf('/');
  return scope.includes('://') && cut > 0 && granted.includes(scope.slice(cut + 1));
}
