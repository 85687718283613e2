import type { ServerResponse } from 'node:http';

/**
 * Writes a complete JSON answer in one go: status line, headers with an exact Content-Length, and the body
 * in the same `end()` call, so node sends headers and body in a single socket write (no chunked encoding,
 * no ETag hashing as express's `res.send` does for every body).
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** A JSON-RPC error object with `id: null` (JSON-RPC 2.0 §5: the request could not be read far enough for an id). */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
): void {
  sendJson(res, status, JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), headers);
}
