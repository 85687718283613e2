import http from 'node:http';
import https from 'node:https';
import { explainListenError } from './start-errors';
import type { AddressInfo } from 'node:net';

/**
 * How long a client may take and how many may hold a connection at once. Defaults are generous for a
 * real client and short for one that trickles bytes or sits idle (slowloris): node answers 408 and closes
 * when the headers or the whole request are late, and a socket beyond `maxConnections` is closed as soon
 * as it is accepted, so an idle crowd cannot take the server away from everyone else.
 */
export interface ServerLimits {
  /** Time to receive the complete request headers (node `headersTimeout`). Default 10 s. */
  headersTimeoutMs?: number;
  /** Time to receive the complete request, body included (node `requestTimeout`). Default 30 s. */
  requestTimeoutMs?: number;
  /** Idle time allowed between requests on a keep-alive connection. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Concurrent connections; more are refused at accept. Default 1024. */
  maxConnections?: number;
  /** Requests per keep-alive connection before node closes it (0 = unlimited). Default 0. */
  maxRequestsPerSocket?: number;
}

export const DEFAULT_LIMITS: Required<ServerLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
  maxRequestsPerSocket: 0,
};

export interface ListeningServer {
  server: http.Server;
  port: number;
  /** `http(s)://host:port` as a client would type it (IPv6 hosts in brackets). */
  origin: string;
  close(): Promise<void>;
}

/** A certificate chain and its key (PEM) for serving HTTPS instead of HTTP. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

/**
 * Starts an HTTP server (HTTPS when `tls` is given) on host:port (port 0 = ephemeral) before any request handler is attached, so the
 * caller can build its routes with the real port (Host allow-list, default resource URL). Node's own
 * header limit (16 KB) stays in force: larger headers get a 431 from node itself and never reach us.
 */
export async function listenHttp(
  host: string,
  port: number,
  limits: ServerLimits = {},
  tls?: TlsIdentity,
): Promise<ListeningServer> {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const options: http.ServerOptions = {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    // Node checks the two timeouts above only every `connectionsCheckingInterval` (default 30 s, longer
    // than the timeouts themselves): check often enough that a timeout means what it says.
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(l.headersTimeoutMs / 4))),
  };
  // https.Server has http.Server's request/close/limits API (it is node's http server over TLS).
  const server = tls
    ? (https.createServer({
        ...options,
        cert: tls.cert,
        key: tls.key,
        minVersion: 'TLSv1.2',
      }) as unknown as http.Server)
    : http.createServer(options);
  server.maxConnections = l.maxConnections;
  server.maxRequestsPerSocket = l.maxRequestsPerSocket;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(explainListenError(err, host, port)));
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    server,
    port: actualPort,
    origin: `${tls ? 'https' : 'http'}://${shownHost}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
