/**
 * What the engine does with an MCP response that refuses its token, as a pure decision so the limits
 * can be tested on their own (MCP authorization spec 2025-11-25 "Authorization Flow Steps" and "Scope
 * Challenge Handling"; RFC 6750 §3.1 error codes):
 *  - 401 or 403 `insufficient_scope` without a token: the first authorization (`initial`);
 *  - 401 with a token: one silent re-authorization (`retry`: the token expired or was revoked, or the
 *    server moved to another authorization server), then give up;
 *  - 403 `insufficient_scope`: step-up with the challenged scopes — unless the token already carries every
 *    one of them, because asking again cannot help and a server could otherwise make the client loop;
 *  - any other 403 is the server's answer, not an authorization problem.
 * Each authorization can be a sign-in the person sees, so the limits hold per request AND per connection
 * (ConnectionBudget): otherwise a server that names a new scope, or answers 401, on every request gets a
 * sign-in per request for as long as it likes.
 */
import type { BearerChallenge } from '../discovery/www-authenticate';
import { SherpaError } from '../errors';
import { splitScope } from './scope-selection';

export type TokenReason = 'initial' | 'retry' | 'step-up';

export interface RetryLimits {
  /** Authorizations one request may trigger before the engine gives up on it (default 3). */
  maxAuthorizationsPerRequest: number;
  /** Re-authorizations after a 401 for a token, per request (default 1: "one silent retry"). */
  maxRetriesPerRequest: number;
  /** Step-ups for the whole connection (default 3); the scopes they add pile up, so they are bounded too. */
  maxStepUpsPerConnection: number;
  /**
   * Re-authorizations after a 401 within any `retryWindowMs` of the connection (default 2 in 5 minutes).
   * Genuine expiry or revocation is rare; a server rejecting every second token is not.
   */
  maxRetriesPerWindow: number;
  retryWindowMs: number;
}

export const DEFAULT_RETRY_LIMITS: Readonly<RetryLimits> = {
  maxAuthorizationsPerRequest: 3,
  maxRetriesPerRequest: 1,
  maxStepUpsPerConnection: 3,
  maxRetriesPerWindow: 2,
  retryWindowMs: 5 * 60_000,
};

export interface AuthFailure {
  status: number;
  challenge?: BearerChallenge | undefined;
  /** The request carried a bearer token. */
  sentToken: boolean;
  /**
   * That token came from a re-authorization after a 401 and the server has not accepted it once:
   * a second fresh token will not fare better, on this request or the next.
   */
  retriedTokenNeverAccepted?: boolean;
}

/** What this one request, and the connection so far, have already triggered. */
export interface RequestAttempts {
  authorizations: number;
  retries: number;
  /** Step-ups of the whole connection so far. */
  connectionStepUps?: number;
  /** Retries of the connection within the last `retryWindowMs`. */
  recentConnectionRetries?: number;
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
  limits: Readonly<RetryLimits> = DEFAULT_RETRY_LIMITS,
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
  // A 403 to the request without a token is the first authorization, not a step-up (nothing to step up).
  if (!sentToken) return { action: 'authorize', reason: 'initial' };
  if (status === 401) {
    if (attempts.retries >= limits.maxRetriesPerRequest) {
      return { action: 'give-up', why: '401 again for a freshly obtained token' };
    }
    if (failure.retriedTokenNeverAccepted) {
      return { action: 'give-up', why: '401 again for a re-obtained token the server never accepted' };
    }
    const recent = attempts.recentConnectionRetries ?? 0;
    if (recent >= limits.maxRetriesPerWindow) {
      const minutes = Math.round(limits.retryWindowMs / 60_000);
      return { action: 'give-up', why: `401 after ${recent} re-authorizations within ${minutes} minutes` };
    }
    return { action: 'authorize', reason: 'retry' };
  }
  const stepUps = attempts.connectionStepUps ?? 0;
  if (stepUps >= limits.maxStepUpsPerConnection) {
    return { action: 'give-up', why: `403 insufficient_scope after ${stepUps} step-ups on this connection` };
  }
  return { action: 'authorize', reason: 'step-up' };
}

/**
 * The per-connection half of the limits: which token is current, why it was obtained, whether the
 * server ever accepted it, and when step-ups and retries happened. One per engine.
 */
export class ConnectionBudget {
  private token: string | undefined;
  private reason: TokenReason | undefined;
  private accepted = false;
  private stepUps = 0;
  private retryTimes: number[] = [];

  constructor(
    private readonly limits: Readonly<RetryLimits> = DEFAULT_RETRY_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new token was obtained for `reason`. */
  obtained(accessToken: string, reason: TokenReason): void {
    this.token = accessToken;
    this.reason = reason;
    this.accepted = false;
    if (reason === 'step-up') this.stepUps++;
    if (reason === 'retry') this.retryTimes.push(this.now());
  }

  /** The server answered a request carrying `accessToken` with something other than 401/403. */
  acceptedWith(accessToken: string | undefined): void {
    if (accessToken !== undefined && accessToken === this.token) this.accepted = true;
  }

  /** The connection's share of a decision about a response to a request sent with `sentWith`. */
  decide(
    failure: Omit<AuthFailure, 'retriedTokenNeverAccepted'> & { sentWith?: string | undefined },
    request: { authorizations: number; retries: number },
    grantedScopes: readonly string[],
  ): AuthDecision {
    const since = this.now() - this.limits.retryWindowMs;
    this.retryTimes = this.retryTimes.filter((t) => t > since);
    return decideOnAuthFailure(
      {
        status: failure.status,
        challenge: failure.challenge,
        sentToken: failure.sentToken,
        retriedTokenNeverAccepted:
          failure.sentWith !== undefined &&
          failure.sentWith === this.token &&
          this.reason === 'retry' &&
          !this.accepted,
      },
      { ...request, connectionStepUps: this.stepUps, recentConnectionRetries: this.retryTimes.length },
      grantedScopes,
      this.limits,
    );
  }
}

/** The engine stops asking: the stable code says so, the hint says what the server did. */
export function retryLimitError(
  serverUrl: string,
  status: number,
  why: string,
  challenge: BearerChallenge | undefined,
  authorizations: number,
): SherpaError {
  const did =
    status === 403
      ? `kept answering 403 insufficient_scope${challenge?.scope ? ` (scope ${challenge.scope})` : ''}`
      : `kept answering 401${challenge?.error ? ` (${challenge.error})` : ''} to freshly obtained tokens`;
  return new SherpaError('AUTH_RETRY_LIMIT', `${serverUrl}: ${why}`, {
    hint: `The server ${did} after ${authorizations} sign-in${authorizations === 1 ? '' : 's'}: it is misconfigured or hostile, and signing in again will not help. Sherpa will not ask again on this connection.`,
    details: { status, challenge, authorizations },
  });
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
