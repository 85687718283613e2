/**
 * The Entra lab's forward proxy (RFC 9110 §9.3.6 CONNECT, plus absolute-form HTTP requests): how clients
 * that cannot be pointed at another URL — VS Code's extension host through `http.proxy`, msal-node or the
 * secure server through their proxy settings — reach "login.microsoftonline.com" offline.
 *
 * - `CONNECT login.microsoftonline.com:443` is tunnelled to the lab's own TLS port. The lab terminates TLS
 *   there with the lab CA's certificate; this proxy only copies bytes and never sees a plaintext request.
 * - `CONNECT` and plain `http://` requests to the lab's own loopback ports (127.0.0.0/8, ::1, localhost on
 *   the authorization server's, the MCP servers' and any port the lab's parent added) pass through: the
 *   extension host sends its requests to the loopback MCP servers through `http.proxy` too. Any other
 *   loopback port is refused like a foreign host — the proxy must not become a way into every local
 *   service of the machine (a database, a debugger port) for whoever can reach it.
 * - Everything else is refused with 403 before anything else happens: the target name is never resolved
 *   and no connection is opened, so nothing leaves the machine whatever a client asks for.
 * - It listens on 127.0.0.1 only, whatever address the lab's servers bind (`sherpa lab --host 0.0.0.0`).
 *
 * Why node:http's 'connect' event and a fixed host map rather than a proxy library: the whole policy is a
 * lookup in a map of two kinds of names, and the libraries (`proxy`, `mockttp`) are built to reach arbitrary
 * hosts (they resolve names first and filter after, or intercept TLS), which is exactly what must not
 * happen here. The HTTP parsing, header limits and timeouts are node's.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { SherpaError } from '../core/errors';
import type { Logger } from '../servers/shared/log';
import { isLoopbackHost } from '../core/net/loopback';

export interface LabProxyOptions {
  /** Port on 127.0.0.1 (0 = any free one). The proxy never listens on another address. */
  port: number;
  /** `host:port` (lower case) → where the lab answers for it on loopback, e.g. the TLS port. */
  tunnels: Record<string, { host: string; port: number }>;
  /** The lab's own loopback ports that may be reached as `127.0.0.1:PORT` / `localhost:PORT`. */
  loopbackPorts: number[];
  log?: Logger;
  /** Concurrent client connections; more are closed at accept. Default 256. */
  maxConnections?: number;
  /** Idle time before a tunnel or a kept-alive connection is closed. Default 60 s. */
  idleTimeoutMs?: number;
  /** Request line + headers. Default 16 KiB (node's own limit). */
  maxHeaderSize?: number;
}

export interface RunningLabProxy {
  /** `http://127.0.0.1:PORT`: the value for `http.proxy`, `HTTPS_PROXY`, undici's ProxyAgent. */
  url: string;
  port: number;
  /** Adds a lab port reachable through the proxy (a server started after it). BAD_ARGUMENT if not a port. */
  allowLoopbackPort(port: unknown): number;
  close(): Promise<void>;
}

/** Where the proxy listens, always: it is for clients on this machine. */
const PROXY_HOST = '127.0.0.1';

/** `host:port` of a CONNECT request target (RFC 9110 §9.3.6 authority-form); undefined if malformed. */
export function parseAuthority(target: string): { hostname: string; port: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(target);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { hostname: (m[1] ?? '').toLowerCase(), port };
}

/**
 * Where a target goes: a mapped tunnel, one of the lab's loopback ports as-is (literal address,
 * `localhost` = 127.0.0.1), or nowhere.
 */
export function routeTarget(
  hostname: string,
  port: number,
  tunnels: LabProxyOptions['tunnels'],
  loopbackPorts: ReadonlySet<number>,
): { host: string; port: number } | undefined {
  const mapped = tunnels[`${hostname.toLowerCase()}:${port}`];
  if (mapped) return mapped;
  if (!isLoopbackHost(hostname) || !loopbackPorts.has(port)) return undefined;
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return { host: bare === 'localhost' ? '127.0.0.1' : bare, port };
}

function refuse(socket: Duplex, status: 400 | 403 | 502, reason: string): void {
  const text = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

function checkPort(port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SherpaError('BAD_ARGUMENT', 'a lab proxy port must be an integer between 1 and 65535');
  }
  return port;
}

/** Starts the proxy on 127.0.0.1. */
export async function startLabProxy(o: LabProxyOptions): Promise<RunningLabProxy> {
  const loopbackPorts = new Set(o.loopbackPorts.map(checkPort));
  const idleMs = o.idleTimeoutMs ?? 60_000;
  const server = http.createServer({
    maxHeaderSize: o.maxHeaderSize ?? 16 * 1024,
    headersTimeout: 10_000,
    requestTimeout: 60_000,
    keepAliveTimeout: 5_000,
  });
  server.maxConnections = o.maxConnections ?? 256;
  const open = new Set<Duplex>();
  server.on('connection', (s: net.Socket) => {
    s.on('error', () => s.destroy());
    open.add(s);
    s.once('close', () => open.delete(s));
  });

  server.on('connect', tunnelHandler(o, loopbackPorts, idleMs));
  server.on('request', forwardHandler(o, loopbackPorts, idleMs));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, PROXY_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://${PROXY_HOST}:${port}`,
    port,
    allowLoopbackPort: (p) => {
      loopbackPorts.add(checkPort(p));
      return p as number;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

/** CONNECT (RFC 9110 §9.3.6): a tunnel to the lab's TLS port or an allowed loopback port; all else 403. */
function tunnelHandler(
  o: LabProxyOptions,
  loopbackPorts: ReadonlySet<number>,
  idleMs: number,
): (req: http.IncomingMessage, client: Duplex, head: Buffer) => void {
  return (req, client, head) => {
    // A client that resets the connection must not take the proxy down (unhandled 'error').
    client.on('error', () => client.destroy());
    const target = parseAuthority(req.url ?? '');
    const route = target && routeTarget(target.hostname, target.port, o.tunnels, loopbackPorts);
    if (!route) {
      o.log?.info('proxy refused', { target: (req.url ?? '').slice(0, 200) });
      return refuse(
        client,
        target ? 403 : 400,
        target ? 'The lab proxy only reaches the lab.' : 'Bad CONNECT target.',
      );
    }
    const upstream = net.connect({ host: route.host, port: route.port });
    const fail = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.setTimeout(idleMs, fail);
    (client as net.Socket).setTimeout?.(idleMs, fail);
    upstream.once('error', () => {
      if (!client.writableEnded) refuse(client, 502, 'The lab is not answering on that port.');
    });
    client.on('error', fail);
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };
}

/** Absolute-form requests (RFC 9112 §3.2.2) for plain http: loopback only, forwarded as they are. */
function forwardHandler(
  o: LabProxyOptions,
  loopbackPorts: ReadonlySet<number>,
  idleMs: number,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    req.on('error', () => res.destroy());
    let url: URL | undefined;
    try {
      url = new URL(req.url ?? '');
    } catch {
      url = undefined;
    }
    const route =
      url?.protocol === 'http:'
        ? routeTarget(url.hostname, Number(url.port || 80), o.tunnels, loopbackPorts)
        : undefined;
    if (!url || !route) {
      o.log?.info('proxy refused', { target: (req.url ?? '').slice(0, 200) });
      res.writeHead(url ? 403 : 400, { 'content-type': 'text/plain', connection: 'close' });
      res.end(url ? 'The lab proxy only reaches the lab.\n' : 'A proxy request needs an absolute URL.\n');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request(
      {
        host: route.host,
        port: route.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.setTimeout(idleMs, () => upstream.destroy(new Error('timeout')));
    upstream.once('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
    });
    req.pipe(upstream);
  };
}
