import http from 'node:http';
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = unknown>(): T;
}

/**
 * A bare HTTP request with full control over headers (fetch refuses to set `Host`), used to probe our
 * servers with the malformed inputs a browser or an attacker could send. No keep-alive: each call is
 * independent, like separate clients.
 */
export function rawRequest(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        }),
      );
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export const MCP_HEADERS = {
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
};

/** POSTs one JSON-RPC request to an MCP endpoint with an optional bearer token. */
export function postJsonRpc(
  url: string,
  message: unknown,
  token?: string,
  extraHeaders: Record<string, string> = {},
) {
  return rawRequest(url, {
    method: 'POST',
    headers: {
      ...MCP_HEADERS,
      ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
      ...extraHeaders,
    },
    body: typeof message === 'string' ? message : JSON.stringify(message),
  });
}

/** `tools/call` as a raw JSON-RPC request. */
export function callTool(
  url: string,
  token: string | undefined,
  name: string,
  args: Record<string, unknown> = {},
  id: number | string = 1,
) {
  return postJsonRpc(
    url,
    { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } },
    token,
  );
}

/**
 * A raw CONNECT through an HTTP proxy on 127.0.0.1 (RFC 9110 §9.3.6): the status line it answers. The
 * socket is opened with net.createConnection, so a spy on net.connect sees only what the proxy opens.
 */
export function connectThrough(proxyPort: number, target: string): Promise<{ status: string }> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(proxyPort, '127.0.0.1', () =>
      s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`),
    );
    let data = '';
    s.setTimeout(5_000, () => reject(new Error(`no answer for CONNECT ${target}`)));
    s.on('data', (d) => {
      data += d.toString();
      if (!data.includes('\r\n')) return;
      s.destroy();
      resolve({ status: data.split('\r\n')[0] ?? '' });
    });
    s.on('error', reject);
  });
}
