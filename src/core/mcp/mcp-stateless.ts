/**
 * MCP requests in the stateless form of protocol revision 2026-07-28 (no `initialize` handshake: every
 * request carries the `MCP-Protocol-Version` header and, in `params._meta`, the protocol version and
 * client capabilities). The MCP SDK 1.32 speaks revisions up to 2025-11-25 only, so this is the small
 * bridge for servers that require the new revision; results are validated with the SDK's own schemas.
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
    const body = {
      jsonrpc: '2.0',
      id: nextId++,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': version,
          'io.modelcontextprotocol/clientCapabilities': options.clientCapabilities ?? {},
        },
      },
    };
    const res = await doFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': version,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let message: unknown;
    try {
      message = JSON.parse(text);
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
