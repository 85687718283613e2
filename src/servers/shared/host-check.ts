import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonRpcError } from './http-reply';

/**
 * DNS-rebinding protection: a page on evil.example that resolves its name to 127.0.0.1 can make the
 * browser send requests to our loopback server, but the Host header still says evil.example. Only the
 * names we actually serve are accepted.
 */
export function defaultAllowedHosts(host: string, port: number): string[] {
  const names = new Set([
    host.includes(':') && !host.startsWith('[') ? `[${host}]` : host,
    '127.0.0.1',
    'localhost',
    '[::1]',
  ]);
  return [...names].map((h) => `${h}:${port}`.toLowerCase());
}

/**
 * Returns a check that answers 403 (JSON-RPC error body) for a Host header outside the allow-list, and for
 * an `Origin` header whose host is outside it, and returns false; true when the request may go on. A
 * browser always sends Origin on cross-site POSTs, so the Origin check also stops a rebinding page that
 * somehow got an allowed Host through (MCP spec 2025-11-25, transports "Security Warning": servers MUST
 * validate Origin). Non-browser clients send no Origin. The official conformance scenario
 * `dns-rebinding-protection` expects any 4xx here.
 */
export function createHostCheck(allowed: string[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const set = new Set(allowed.map((h) => h.toLowerCase()));
  return (req, res) => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!set.has(host)) {
      sendJsonRpcError(res, 403, -32000, `Host header '${host || '(none)'}' is not allowed`);
      return false;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !originHosts(origin).some((h) => set.has(h))) {
      sendJsonRpcError(res, 403, -32000, `Origin '${origin}' is not allowed`);
      return false;
    }
    return true;
  };
}

/** `createHostCheck` as connect-style middleware (the authorization server's express app): 403 or `next()`. */
export function hostCheck(allowed: string[]) {
  const check = createHostCheck(allowed);
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (check(req, res)) next();
  };
}

/** The forms an Origin's host may be listed under: as sent (`name` on default ports) and with its port. */
function originHosts(origin: string): string[] {
  try {
    const url = new URL(origin);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return [url.host.toLowerCase(), `${url.hostname}:${port}`.toLowerCase()];
  } catch {
    return []; // "null" or garbage: never allowed
  }
}
