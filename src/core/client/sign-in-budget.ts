/**
 * The sign-in budget: how long the engine waits for a person to finish signing in (VS Code's consent
 * dialog, the authorization server's login page, the redirect back). Minutes, not the seconds an MCP
 * request gets (request-clock.ts), and always cancellable: the caller's signal (Cancel in VS Code,
 * Ctrl-C in the CLI) ends it at once. A sign-in that cannot come back — the authorization server showed
 * an error page and the redirect never arrives — ends here, naming the sign-in, not as a late MCP timeout.
 */
import { SherpaError } from '../errors';

/** Default sign-in budget: 5 minutes (RFC 8252 gives no number; the loopback receiver's default too). */
export const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000;

export interface SignInBudget {
  /** How long the person has (default {@link DEFAULT_SIGN_IN_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** The caller's cancel: LOGIN_ABORTED. */
  signal?: AbortSignal;
  /** Where the sign-in happens, for the message (the issuer). */
  at: string;
}

/**
 * Runs `work` (given a signal that aborts when the budget runs out or the caller cancels) and settles as
 * soon as either happens, even if `work` ignores its signal (VS Code's consent dialog cannot be closed
 * from an extension). Errors: LOGIN_TIMEOUT, LOGIN_ABORTED, or what `work` threw.
 */
export async function withinSignInBudget<T>(
  work: (signal: AbortSignal) => Promise<T>,
  budget: SignInBudget,
): Promise<T> {
  const ms = budget.timeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS;
  const stop = new AbortController();
  const signal = budget.signal ? AbortSignal.any([budget.signal, stop.signal]) : stop.signal;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const ended = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new SherpaError(
        'LOGIN_TIMEOUT',
        `The sign-in at ${budget.at} was not finished within ${describeDuration(ms)}`,
        {
          hint: 'Nothing came back from the sign-in page. If it showed an error, the authorization server refused this client or request; otherwise connect again and finish signing in (the time allowed is a setting: sherpa.auth.signInTimeoutSeconds, or --sign-in-timeout for the CLI).',
          details: { timeoutMs: ms },
        },
      );
      stop.abort(err);
      reject(err);
    }, ms);
    onAbort = () =>
      reject(new SherpaError('LOGIN_ABORTED', 'Sign-in was cancelled', { cause: budget.signal?.reason }));
    if (budget.signal?.aborted) onAbort();
    else budget.signal?.addEventListener('abort', onAbort, { once: true });
  });
  ended.catch(() => undefined); // the race below handles it; never an unhandled rejection
  const running = work(signal);
  running.catch(() => undefined); // settled after the budget ended: nobody waits for it any more
  try {
    return await Promise.race([running, ended]);
  } catch (err) {
    // Whatever a grant made of the abort (its own LOGIN_ABORTED), the budget ran out: say so.
    if (stop.signal.aborted) throw stop.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    if (onAbort) budget.signal?.removeEventListener('abort', onAbort);
  }
}

function describeDuration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
