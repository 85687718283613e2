/**
 * MCP requests in the stateless form of protocol revision 2026-07-28 (no `initialize` handshake: every
 * request carries the `MCP-Protocol-Version` header and, in `params._meta`, the protocol version and
 * client capabilities). The MCP SDK 1.32 speaks revisions up to 2025-11-25 only, so this is the small
 * bridge for servers that require the new revision; results are validated with the SDK's own schemas.
 * Streamable HTTP at 2026-07-28 (SEP-2243) also names the method in an `Mcp-Method` header on every POST,
 * and the target in `Mcp-Name` (tools/call, prompts/get: the name; resources/read: the URI), so that
 * gateways can route without reading the body; servers answer a missing or mismatched one with 400.
 */
import {
  CallToolResultSchema,
  JSONRPCResponseSchema,
  ListToolsResultSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { SherpaError } from '../errors';

export const STATELESS_PROTOCOL_VERSION = '2026-07-28';

/** True when the SDK Client can talk `version` itself (handshake revisions up to 2025-11-25). */
export function isSdkProtocolVersion(version: string): boolean {
  return SUPPORTED_PROTOCOL_VERSIONS.includes(version);
}

export interface StatelessClientOptions {
  protocolVersion?: string;
  /** A fetch that adds authorization (e.g. the engine's, core/client/mcp-authorization.ts). */
  fetch?: (input: string | URL, init?: RequestInit) => Promise<Response>;
  clientCapabilities?: Record<string, unknown>;
}

export interface StatelessMcpClient {
  listTools(): Promise<Tool[]>;
  callTool(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
}

/**
 * A header value as SEP-2243 carries it: as is when it is visible ASCII without leading/trailing space,
 * otherwise `=?base64?<UTF-8 bytes, base64>?=` (header values cannot carry arbitrary Unicode; RFC 9110 §5.5).
 */
export function mcpHeaderValue(value: string): string {
  return /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value)
    ? value
    : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** The `Mcp-Name` of a request: what it acts on, for the methods that name one. */
function mcpName(method: string, params: Record<string, unknown>): string | undefined {
  const target =
    method === 'tools/call' || method === 'prompts/get'
      ? params.name
      : method === 'resources/read'
        ? params.uri
        : undefined;
  return typeof target === 'string' ? mcpHeaderValue(target) : undefined;
}

/**
 * The JSON-RPC message of a response body: plain JSON, or (a server may answer a POST with an SSE stream,
 * and we send `Accept: text/event-stream`) the `data:` of the stream's event that answers request `id`.
 */
function readMessage(text: string, contentType: string | null, id: number): unknown {
  if (!/^text\/event-stream\b/i.test(contentType ?? '')) return JSON.parse(text);
  // WHATWG HTML §9.2.6: events are separated by a blank line; an event's data lines are joined by \n.
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (!data) continue;
    const message = JSON.parse(data) as { id?: unknown };
    if (message.id === id) return message;
  }
  throw new Error('no response in the event stream');
}

/** A client for one MCP endpoint speaking the stateless revision. */
export function createStatelessClient(
  url: string | URL,
  options: StatelessClientOptions = {},
): StatelessMcpClient {
  const doFetch = options.fetch ?? fetch;
  const version = options.protocolVersion ?? STATELESS_PROTOCOL_VERSION;
  let nextId = 1;

  const request = async <T>(
    method: string,
    params: Record<string, unknown>,
    schema: { parse(value: unknown): T },
  ): Promise<T> => {
    const id = nextId++;
    const body = {
      jsonrpc: '2.0',
      id,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': version,
          'io.modelcontextprotocol/clientCapabilities': options.clientCapabilities ?? {},
        },
      },
    };
    const name = mcpName(method, params);
    const res = await doFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': version,
        'mcp-method': method,
        ...(name !== undefined ? { 'mcp-name': name } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let message: unknown;
    try {
      message = readMessage(text, res.headers.get('content-type'), id);
    } catch {
      throw new SherpaError('MCP_ERROR', `${method}: HTTP ${res.status} with a non-JSON body`, {
        details: { status: res.status },
      });
    }
    const parsed = JSONRPCResponseSchema.safeParse(message);
    if (!parsed.success)
      throw new SherpaError('MCP_ERROR', `${method}: HTTP ${res.status}, not a JSON-RPC response`);
    if ('error' in parsed.data) {
      throw new SherpaError('MCP_ERROR', `${method} failed: ${parsed.data.error.message}`, {
        details: { status: res.status, error: parsed.data.error.code },
      });
    }
    return schema.parse(parsed.data.result);
  };

  return {
    listTools: async () => (await request('tools/list', {}, ListToolsResultSchema)).tools,
    callTool: (name, args = {}) =>
      request('tools/call', { name, arguments: args }, CallToolResultSchema) as Promise<CallToolResult>,
  };
}
