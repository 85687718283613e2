import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * DNS-rebinding protection: a page on evil.example that resolves its name to 127.0.0.1 can make the
 * browser send requests to our loopback server, but the Host header still says evil.example. Only the
 * names we actually serve are accepted.
 */
export function defaultAllowedHosts(host: string, port: number): string[] {
  const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
  return [...names].map((h) => `${h}:${port}`.toLowerCase());
}

/** Connect-style middleware: 421-free, plain 403 JSON for a Host header outside the allow-list. */
export function hostCheck(allowed: string[]) {
  const set = new Set(allowed.map((h) => h.toLowerCase()));
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (set.has(host)) return next();
    res.statusCode = 403;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        error: { code: -32000, message: `Host header '${host || '(none)'}' is not allowed` },
        id: null,
      }),
    );
  };
}
