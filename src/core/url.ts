/** URL helpers shared by the discovery modules. */

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

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts where plain http is acceptable (RFC 8252 §8.3). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** True when `url` is https, or http to a loopback host. */
export function isSecureOrLoopback(url: string | URL): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
}
