import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { sendJson, sendJsonRpcError } from './http-reply';
import type { Logger } from './log';
import type { MultiplexTransport } from './multiplex-transport';

export { sendJsonRpcError };

/** JSON-RPC error codes used at the HTTP edge (JSON-RPC 2.0 §5.1). */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const SERVER_ERROR = -32000;

type Classified =
  | { kind: 'request'; message: JSONRPCRequest }
  | { kind: 'notification'; message: JSONRPCNotification }
  | { kind: 'response'; message: JSONRPCMessage }
  | { kind: 'invalid' };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
// JSON-RPC 2.0 §4: id is a String or Number; MCP (basic/index "Requests") narrows it to string | integer.
const isId = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));

const ENVELOPE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
// MCP basic/index "_meta": an object; its progressToken, when present, a string or an integer.
const isMeta = (m: unknown) =>
  isObject(m) &&
  (m.progressToken === undefined ||
    typeof m.progressToken === 'string' ||
    (typeof m.progressToken === 'number' && Number.isInteger(m.progressToken)));

/**
 * The envelope checks of JSON-RPC 2.0 §4/§5 (what the SDK's `JSONRPCMessageSchema` checks), done by hand
 * because this runs on every request and a zod parse of the whole message costs more than the rest of the
 * edge together. Method-specific params are still validated by the SDK's Protocol (each request handler
 * parses its request schema), so nothing the SDK checks is skipped.
 */
export function classifyJsonRpc(body: unknown): Classified {
  if (!isObject(body) || body.jsonrpc !== '2.0') return { kind: 'invalid' };
  if ('method' in body) {
    if (typeof body.method !== 'string') return { kind: 'invalid' };
    if (body.params !== undefined && !isObject(body.params)) return { kind: 'invalid' };
    // The SDK's request/notification schemas are strict: no other members, and `_meta` (with its
    // progressToken) shaped as MCP defines it. What the SDK would refuse is refused here, with a 400.
    for (const key of Object.keys(body)) if (!ENVELOPE_KEYS.has(key)) return { kind: 'invalid' };
    if (isObject(body.params) && '_meta' in body.params && !isMeta(body.params._meta))
      return { kind: 'invalid' };
    if (!('id' in body)) return { kind: 'notification', message: body as unknown as JSONRPCNotification };
    return isId(body.id)
      ? { kind: 'request', message: body as unknown as JSONRPCRequest }
      : { kind: 'invalid' };
  }
  if (!isId(body.id)) return { kind: 'invalid' };
  const isError = (e: unknown) => isObject(e) && Number.isInteger(e.code) && typeof e.message === 'string';
  if ('result' in body ? isObject(body.result) : isError(body.error))
    return { kind: 'response', message: body as unknown as JSONRPCMessage };
  return { kind: 'invalid' };
}

/**
 * Checks made BEFORE the body is read, mirroring the SDK's Streamable HTTP transport so clients see the
 * same answers: Accept must list both media types (406), Content-Type must be JSON (415), an unknown
 * `MCP-Protocol-Version` is a 400. Returns false after answering.
 */
export function checkMcpPostHeaders(req: IncomingMessage, res: ServerResponse): boolean {
  const accept = req.headers.accept ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    sendJsonRpcError(
      res,
      406,
      SERVER_ERROR,
      'Not Acceptable: Client must accept both application/json and text/event-stream',
    );
    return false;
  }
  if (!(req.headers['content-type'] ?? '').includes('application/json')) {
    sendJsonRpcError(res, 415, SERVER_ERROR, 'Unsupported Media Type: Content-Type must be application/json');
    return false;
  }
  const version = req.headers['mcp-protocol-version'];
  if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    sendJsonRpcError(res, 400, SERVER_ERROR, `Bad Request: Unsupported protocol version ${version}`);
    return false;
  }
  return true;
}

/**
 * Handles the body of `POST /mcp` for a stateless Streamable HTTP server that always answers with
 * `application/json` (MCP 2025-11-25 transports: "the server MUST either return Content-Type:
 * text/event-stream … or Content-Type: application/json"). Unparsable JSON is a 400 parse error; JSON-RPC
 * batches were removed from MCP in 2025-06-18, so an array is a 400 invalid-request error.
 * `authInfo` is whatever the auth layer in front decided (undefined for the vulnerable server).
 */
export async function handleMcpMessage(
  req: IncomingMessage,
  res: ServerResponse,
  text: string,
  transport: MultiplexTransport,
  options: { authInfo?: AuthInfo; logger: Logger },
): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(text);
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
  const message = classifyJsonRpc(body);
  if (message.kind === 'invalid')
    return sendJsonRpcError(res, 400, INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message');

  // Tools see request headers, but never the credential itself (MCP forbids token passthrough).
  const { authorization: _credential, cookie: _cookie, ...headers } = req.headers;
  const extra = { authInfo: options.authInfo, requestInfo: { headers } };

  if (message.kind === 'request') {
    const reply = await transport.dispatchRequest(message.message, extra);
    return sendJson(res, 200, JSON.stringify(reply));
  }
  if (message.kind === 'notification') transport.dispatchNotification(message.message, extra);
  // Notifications and client responses get 202 with no body (MCP transports: "MUST return 202 Accepted").
  res.writeHead(202, { 'Content-Length': 0 }).end();
  options.logger.debug('accepted JSON-RPC message without response', { kind: message.kind });
}

/** `GET`/`DELETE /mcp`: a stateless server has no SSE stream and no session to end (405 + Allow). */
export function rejectMcpMethod(res: ServerResponse): void {
  sendJsonRpcError(res, 405, SERVER_ERROR, 'Method Not Allowed: this stateless server only accepts POST', {
    Allow: 'POST',
  });
}
