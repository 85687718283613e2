/**
 * Which network addresses a client may reach when a stranger chose the URL: an MCP server's
 * `resource_metadata`, an authorization server's endpoints, a redirect. RFC 9728 §7.7 and RFC 8414 §6
 * warn that metadata can point a client at internal services (SSRF); the MCP authorization spec's
 * security considerations say the same. The rule here: public addresses are always reachable; an
 * address of another class (loopback, private, link-local, reserved) only when the server the person
 * chose is itself in that class — the lab on 127.0.0.1 may name 127.0.0.1, a public server may not.
 *
 * Classification uses Node's own `net.BlockList`, so no CIDR arithmetic lives here.
 */
import { BlockList, isIP } from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

function list(entries: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const b = new BlockList();
  for (const [net, prefix, type] of entries) b.addSubnet(net, prefix, type);
  return b;
}

const LOOPBACK = list([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
// Link-local includes every cloud's instance-metadata endpoint (169.254.169.254, fd00:ec2::254 is ULA).
const LINK_LOCAL = list([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const PRIVATE = list([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT; also Alibaba's metadata 100.100.100.200
  ['fc00::', 7, 'ipv6'], // unique local (AWS IPv6 metadata fd00:ec2::254 is here)
]);
const RESERVED = list([
  ['0.0.0.0', 8, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'], // NAT64 can embed any IPv4 address, internal ones included
]);

/** `::ffff:10.0.0.1` and `::ffff:a00:1` reach the IPv4 host: classify them as that host. */
function unmapIpv4(address: string): string | undefined {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Class of an IP literal (v4 or v6, brackets allowed); undefined when `address` is not an IP. */
export function classifyAddress(address: string): AddressClass | undefined {
  let a = address.replace(/^\[|\]$/g, '').toLowerCase();
  a = a.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  const mapped = unmapIpv4(a);
  if (mapped) a = mapped;
  const family = isIP(a);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(a, type)) return 'loopback';
  if (LINK_LOCAL.check(a, type)) return 'link-local';
  if (PRIVATE.check(a, type)) return 'private';
  if (RESERVED.check(a, type)) return 'reserved';
  return 'public';
}

/**
 * Class of a host name without resolving it: IP literals by address, `localhost` (RFC 6761 §6.3) as
 * loopback, names that only exist inside a network (`*.internal`, `*.local`, `*.localhost`, single
 * labels) as private. Everything else is "public until resolved".
 */
export function classifyHostName(hostname: string): AddressClass {
  const h = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const ip = classifyAddress(h);
  if (ip) return ip;
  if (h === 'localhost' || h.endsWith('.localhost')) return 'loopback';
  if (h.endsWith('.internal') || h.endsWith('.local') || h.endsWith('.lan') || !h.includes('.')) {
    return 'private';
  }
  return 'public';
}
