import type { Request, Response } from 'express';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  isJSONRPCNotification,
  isJSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from './log';
import type { MultiplexTransport } from './multiplex-transport';

/** JSON-RPC error codes used at the HTTP edge (JSON-RPC 2.0 §5.1). */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const SERVER_ERROR = -32000;

/** Writes a JSON-RPC error object with `id: null` (the request could not be read far enough for an id). */
export function sendJsonRpcError(res: Response, status: number, code: number, message: string): void {
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * Handles `POST /mcp` for a stateless Streamable HTTP server that always answers with
 * `application/json` (MCP 2025-11-25 transports: "the server MUST either return Content-Type:
 * text/event-stream … or Content-Type: application/json"). Checks made here mirror the SDK transport so
 * clients see the same answers: Accept must list both media types (406), Content-Type must be JSON (415),
 * an unknown `MCP-Protocol-Version` is a 400, unparsable JSON a 400 parse error. JSON-RPC batches were
 * removed from MCP in 2025-06-18, so an array is rejected with a 400 invalid-request error.
 * `authInfo` is whatever the auth layer in front decided (undefined for the vulnerable server).
 */
export async function handleMcpPost(
  req: Request,
  res: Response,
  transport: MultiplexTransport,
  options: { authInfo?: AuthInfo; logger: Logger },
): Promise<void> {
  const accept = String(req.headers.accept ?? '');
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    return sendJsonRpcError(
      res,
      406,
      SERVER_ERROR,
      'Not Acceptable: Client must accept both application/json and text/event-stream',
    );
  }
  if (!String(req.headers['content-type'] ?? '').includes('application/json')) {
    return sendJsonRpcError(
      res,
      415,
      SERVER_ERROR,
      'Unsupported Media Type: Content-Type must be application/json',
    );
  }
  const version = req.headers['mcp-protocol-version'];
  if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    return sendJsonRpcError(res, 400, SERVER_ERROR, `Bad Request: Unsupported protocol version ${version}`);
  }

  let body: unknown;
  try {
    body = JSON.parse(typeof req.body === 'string' ? req.body : '');
  } catch {
    return sendJsonRpcError(res, 400, PARSE_ERROR, 'Parse error: body is not valid JSON');
  }
  if (Array.isArray(body)) {
    return sendJsonRpcError(
      res,
      400,
      INVALID_REQUEST,
      'Invalid Request: JSON-RPC batches are not supported (removed in MCP 2025-06-18)',
    );
  }
  const parsed = JSONRPCMessageSchema.safeParse(body);
  if (!parsed.success) {
    return sendJsonRpcError(res, 400, INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message');
  }
  const message = parsed.data;
  // Tools see request headers, but never the credential itself (MCP forbids token passthrough).
  const { authorization: _credential, cookie: _cookie, ...headers } = req.headers;
  const extra = { authInfo: options.authInfo, requestInfo: { headers } };

  if (isJSONRPCRequest(message)) {
    const reply = await transport.dispatchRequest(message, extra);
    res.status(200).type('application/json').send(JSON.stringify(reply));
    return;
  }
  if (isJSONRPCNotification(message)) transport.dispatchNotification(message, extra);
  // Notifications and client responses get 202 with no body (MCP transports: "MUST return 202 Accepted").
  res.status(202).end();
  options.logger.debug('accepted JSON-RPC message without response', { kind: 'notification-or-response' });
}

/** `GET`/`DELETE /mcp`: a stateless server has no SSE stream and no session to end (405 + Allow). */
export function rejectMcpMethod(_req: Request, res: Response): void {
  res.setHeader('Allow', 'POST');
  sendJsonRpcError(res, 405, SERVER_ERROR, 'Method Not Allowed: this stateless server only accepts POST');
}
