/** URL helpers shared by the discovery modules. */
import { SherpaError } from './errors';
import { isLoopbackHost } from './net/loopback';
import { toTerminalLine } from './untrusted-text';

/**
 * Canonical form for comparing resource identifiers (RFC 9728 §3.3 wants them "identical"): WHATWG
 * parsing lower-cases scheme and host and drops a default port; the fragment is dropped (RFC 8707 §2
 * forbids one). A trailing slash is significant — `/mcp` and `/mcp/` are different resources.
 */
export function normalizeUrl(url: string | URL): string {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}

/** True when `url` is https, or http to a loopback host. */
export function isSecureOrLoopback(url: string | URL): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
}

// Controls and whitespace have no place in a URL handed to an opener. Matching them is the point.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\s]/;

/**
 * A URL a server supplied that Sherpa is about to hand to a browser (authorization endpoint, device
 * `verification_uri`): https, or http to loopback, with no credentials and no control characters.
 * Anything else (`file:`, `javascript:`, `vscode:`, `command:`, a custom scheme, a shell string) is
 * refused with UNSAFE_URL before any opener sees it.
 */
export function assertOpenableUrl(url: string | URL): URL {
  const raw = String(url);
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    u = undefined;
  }
  if (!u || UNPRINTABLE.test(raw) || !isSecureOrLoopback(u) || u.username || u.password) {
    throw new SherpaError('UNSAFE_URL', `Refusing to open ${toTerminalLine(raw, 200)} in a browser`, {
      hint: 'Only https URLs (or http to the local lab on loopback) are opened; the authorization server sent something else.',
    });
  }
  return u;
}
