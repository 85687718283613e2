/**
 * A stand-in for code-server's port forwarding (`/proxy/PORT/…`), shaped like code-server 4.139's
 * (out/node/routes/pathProxy.js + proxy.js): the `/proxy/PORT` prefix is stripped, the browser's Host
 * header is kept, no X-Forwarded-* headers are added, and only a root-relative `Location` gets the prefix
 * put back. Absolute Locations, cookie paths and HTML pass through untouched — exactly what makes a
 * server that ignores the prefix break behind it. For integration tests; the e2e tests use code-server.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PortForwardingProxy {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The forwarded base of a loopback port: `${origin}/proxy/${port}/`. */
  forwardedBase(port: number): string;
  /** Requests seen, `METHOD /path` (for assertions on what the "browser" had to go through). */
  seen: string[];
  close(): Promise<void>;
}

export async function startPortForwardingProxy(): Promise<PortForwardingProxy> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const m = /^\/proxy\/(\d{1,5})(\/.*)?$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not a /proxy/PORT/ path');
      return;
    }
    const base = `/proxy/${m[1]}`;
    const upstream = request(
      { host: '127.0.0.1', port: Number(m[1]), method: req.method, path: m[2] ?? '/', headers: req.headers },
      (up) => {
        const headers = { ...up.headers };
        if (typeof headers.location === 'string' && headers.location.startsWith('/')) {
          headers.location = base + headers.location;
        }
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(err.message);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    forwardedBase: (port) => `${origin}/proxy/${port}/`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
