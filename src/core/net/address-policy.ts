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
  // IPv4-compatible (RFC 4291 §2.5.5.1, deprecated; `::` and `::1` are in it, `::1` is matched as
  // loopback first): nothing public uses it, and a stack that still honours it reaches the IPv4 host.
  ['::', 96, 'ipv6'],
  ['::ffff:0:0:0', 96, 'ipv6'], // IPv4-translated (RFC 2765 §2.1, SIIT): another way to write an IPv4 host
  ['ff00::', 8, 'ipv6'],
  // Local-use NAT64 (RFC 8215): the operator picks the prefix length, so where the IPv4 address sits is
  // unknown — it may be any internal host.
  ['64:ff9b:1::', 48, 'ipv6'],
]);

/** The eight 16-bit groups of an IPv6 literal, any spelling (`::ffff:1.2.3.4` too), via the URL parser. */
function ipv6Groups(address: string): number[] | undefined {
  let host: string;
  try {
    // The WHATWG URL serializer writes IPv6 in one canonical, all-hex, compressed form.
    host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = host.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...zeros, ...t].map((g) => parseInt(g, 16));
}

/**
 * The IPv4 host an IPv6 address reaches by its last 32 bits, where the address means exactly that:
 * IPv4-mapped `::ffff:0:0/96` (RFC 4291 §2.5.5.2 — `::ffff:10.0.0.1` IS 10.0.0.1 to a dual-stack socket)
 * and the NAT64 well-known prefix `64:ff9b::/96` (RFC 6052 §2.1: the translator connects to the embedded
 * address, so `64:ff9b::a9fe:a9fe` is 169.254.169.254; and on an IPv6-only network every public host
 * resolves there, so a public embedded address stays public).
 */
function embeddedIpv4(groups: number[]): string | undefined {
  const [a, b, c, d, e, f, g, h] = groups as [number, number, number, number, number, number, number, number];
  const mapped = a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff;
  const nat64 = a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0;
  return mapped || nat64 ? [g >> 8, g & 255, h >> 8, h & 255].join('.') : undefined;
}

/** Class of an IP literal (v4 or v6, brackets allowed); undefined when `address` is not an IP. */
export function classifyAddress(address: string): AddressClass | undefined {
  let a = address.replace(/^\[|\]$/g, '').toLowerCase();
  a = a.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  const family = isIP(a);
  if (family === 0) return undefined;
  if (family === 6) {
    const groups = ipv6Groups(a);
    const v4 = groups && embeddedIpv4(groups);
    if (v4) return classifyAddress(v4);
  }
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
