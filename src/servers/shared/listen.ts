import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  server: http.Server;
  port: number;
  /** `http://host:port` as a client would type it (IPv6 hosts in brackets). */
  origin: string;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on host:port (port 0 = ephemeral) before any request handler is attached, so the
 * caller can build its routes with the real port (Host allow-list, default resource URL). Node's own
 * header limit (16 KB) stays in force: larger headers get a 431 from node itself and never reach us.
 */
export async function listenHttp(host: string, port: number): Promise<ListeningServer> {
  const server = http.createServer();
  // Keep-alive sockets would otherwise hold close() open for the full keepAliveTimeout.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
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
    origin: `http://${shownHost}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
