/**
 * When the browser sign-in (authorization code, RFC 6749 §4.1) cannot work, the device authorization
 * grant (RFC 8628) still can: it needs no redirect back to the app, only a browser that reaches the
 * verification page. This decides, from a failed sign-in, whether to offer it and what to say why.
 */
import { SherpaError } from '../errors';

/** Redirect-URI refusals an authorization server sends back (RFC 6749 §4.1.2.1, oidc-provider's). */
const REDIRECT_REFUSED = /redirect_uri/i;

/**
 * The reason to offer the device code flow after `err`, or undefined when it would not help (the person
 * cancelled, the server is unreachable, the token was refused…). `remote` describes why the browser is
 * on another machine (e.g. "this VS Code window is remote (ssh-remote)"), when it is.
 */
export function deviceCodeFallbackReason(err: unknown, remote?: string): string | undefined {
  if (!(err instanceof SherpaError)) return undefined;
  const where = remote
    ? ` — ${remote}, so the browser reaches this machine only through forwarded addresses`
    : '';
  if (err.code === 'LOGIN_TIMEOUT') {
    return `the browser sign-in never came back to VS Code${where}`;
  }
  // Cancelling the wait for the browser (not VS Code's consent modal) in a remote window usually means
  // the page never worked there.
  if (err.code === 'LOGIN_ABORTED' && remote) {
    return `the browser sign-in was cancelled${where}`;
  }
  const error = typeof err.details?.error === 'string' ? err.details.error : '';
  if (
    err.code === 'AUTHORIZATION_DENIED' &&
    (REDIRECT_REFUSED.test(error) || REDIRECT_REFUSED.test(err.message))
  ) {
    return `the authorization server refused the address the sign-in returns to (${error || 'redirect_uri'})${where}`;
  }
  return undefined;
}
