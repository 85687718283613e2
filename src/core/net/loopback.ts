/**
 * The one definition of "loopback" in Sherpa, by the literal host only (no DNS: a name that resolves to
 * 127.0.0.1 is not loopback here, because a resolver can be told anything). Used wherever plain http is
 * allowed (RFC 8252 §8.3), where the lab refuses to reach beyond this machine (the lab proxy, automated
 * sign-in), and for the lab's loopback redirect URIs (RFC 8252 §7.3).
 */
import { isIPv4 } from 'node:net';

/**
 * True for `localhost`, `::1` (bracketed or not) and any IPv4 literal in 127.0.0.0/8 (RFC 1122 §3.2.1.3),
 * not only 127.0.0.1. An IPv4-mapped IPv6 form (`::ffff:127.0.0.1`) is not accepted: callers use this to
 * allow something, so an unusual spelling of an address is refused rather than recognised.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIPv4(h) && h.startsWith('127.');
}
