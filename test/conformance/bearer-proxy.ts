/**
 * Test-only reverse proxy on loopback that adds `Authorization: Bearer …` to every request, so the
 * official conformance suite's server scenarios (which carry no credentials) can reach our
 * authenticated MCP servers (RFC 6750 §2.1 header; the token is never logged).
 *
 * Host and Origin are forwarded as sent, with one translation: the proxy's OWN loopback authority
 * (127.0.0.1:PROXY / localhost:PROXY) becomes the target's (same name, target port), exactly as if the
 * client had connected to the server directly. Any other value — `evil.example.com` in the
 * dns-rebinding-protection scenario — reaches the server untouched, so it is the server's own
 * Host/Origin check that the scenario tests, not the proxy's.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BearerProxyOptions {
  /** Origin of the real server, e.g. http://127.0.0.1:7482 */
  target: string;
  /** Access token to present (static lab token or a real lab JWT). */
  token: string;
}

export interface RunningBearerProxy {
  /** The proxy's origin; append the MCP path (e.g. `/mcp`). */
  origin: string;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Maps `name:proxyPort` to `name:targetPort` for loopback names; anything else is returned as is. */
function translateAuthority(value: string, proxyPort: number, targetPort: string): string {
  for (const name of LOOPBACK_NAMES) {
    if (value === `${name}:${proxyPort}`) return `${name}:${targetPort}`;
  }
  return value;
}

function translateOrigin(value: string, proxyPort: number, targetPort: string): string {
  const m = /^(https?:\/\/)(.+)$/i.exec(value);
  return m ? `${m[1]}${translateAuthority(m[2] ?? '', proxyPort, targetPort)}` : value;
}

/** Starts the proxy on 127.0.0.1 with an ephemeral port. */
export async function startBearerProxy(options: BearerProxyOptions): Promise<RunningBearerProxy> {
  const target = new URL(options.target);
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxyPort = (server.address() as AddressInfo).port;

  server.on('request', (req, res) => {
    const headers: IncomingHttpHeaders = { ...req.headers };
    if (headers.host) headers.host = translateAuthority(headers.host, proxyPort, target.port);
    if (typeof headers.origin === 'string')
      headers.origin = translateOrigin(headers.origin, proxyPort, target.port);
    headers.authorization = `Bearer ${options.token}`;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        // Host is set from `headers` above; Node would otherwise derive it from host/port.
        setHost: false,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bearer-proxy: upstream error ${err.message}`);
    });
    req.pipe(upstream);
  });

  return {
    origin: `http://127.0.0.1:${proxyPort}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
