import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createHostCheck } from './host-check';
import { sendJsonRpcError } from './http-reply';
import type { Logger } from './log';
import { checkMcpPostHeaders, handleMcpMessage, rejectMcpMethod } from './mcp-http';
import type { MultiplexTransport } from './multiplex-transport';
import { BodyError, bodyErrorStatus, readBodyText } from './read-body';

/**
 * Decides who is calling. Returns the caller's AuthInfo, `undefined` for "allowed, no identity" (the
 * vulnerable server's static token carries none), or `null` after it has already written a 401/403/503.
 * May answer synchronously (a cached token needs no await).
 */
export type Authenticate = (
  req: IncomingMessage,
  res: ServerResponse,
) => AuthInfo | undefined | null | Promise<AuthInfo | undefined | null>;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What `startSecureServer` / `startVulnerableServer` return. */
export interface RunningMcpServer {
  origin: string;
  /** The MCP endpoint, `{origin}/mcp`. */
  url: string;
  close(): Promise<void>;
}

/** The running server over `listening`: closing it stops listening, then closes the MCP server. */
export function runningMcpServer(
  listening: { origin: string; close(): Promise<void> },
  mcp: { close(): Promise<void> },
): RunningMcpServer {
  return {
    origin: listening.origin,
    url: `${listening.origin}${MCP_PATH}`,
    close: async () => {
      await listening.close();
      await mcp.close();
    },
  };
}

export interface McpAppOptions {
  allowedHosts: string[];
  transport: MultiplexTransport;
  authenticate: Authenticate;
  logger: Logger;
  /** Extra routes by exact path, answered after the Host check (e.g. RFC 9728 metadata). */
  extraRoutes?: Record<string, RouteHandler>;
  /** Largest request body accepted on `/mcp`. Default 1 MiB. */
  maxBodyBytes?: number;
}

const MCP_PATH = '/mcp';

/** The path of a request target (RFC 9112 §3.2: origin-form, or absolute-form from a proxy). */
function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return q === -1 ? target : target.slice(0, q);
  }
  try {
    return new URL(target).pathname;
  } catch {
    return '';
  }
}

/**
 * The request handler both MCP servers share, on plain node:http: Host/Origin check first, then the extra
 * routes, then auth, then the MCP endpoint. Written against node:http rather than express because at
 * thousands of requests a second the router, `res.send` (ETag hashing) and body-parser were most of the
 * server's CPU time (see test/bench/profile.ts). Every failure a caller can cause is a 4xx; anything else
 * is logged (redacted) and answered 500 without detail.
 */
export function createMcpHandler(o: McpAppOptions): RouteHandler {
  const checkHost = createHostCheck(o.allowedHosts);
  const maxBody = o.maxBodyBytes ?? 1024 * 1024;
  const routes = new Map(Object.entries(o.extraRoutes ?? {}));

  const onError = (res: ServerResponse, err: unknown) => {
    if (err instanceof BodyError) {
      const status = bodyErrorStatus(err.code);
      return sendJsonRpcError(res, status, status === 400 ? -32700 : -32000, err.message);
    }
    o.logger.error('unhandled error in MCP request', {
      error: err instanceof Error ? err.message : String(err),
    });
    if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal error');
    else res.destroy();
  };

  const postMcp = async (req: IncomingMessage, res: ServerResponse) => {
    const decided = o.authenticate(req, res);
    const authInfo = decided instanceof Promise ? await decided : decided;
    if (authInfo === null || !checkMcpPostHeaders(req, res)) return;
    const text = await readBodyText(req, maxBody);
    if (text === undefined) return; // the client went away mid-body
    await handleMcpMessage(req, res, text, o.transport, { authInfo, logger: o.logger });
  };

  return (req, res) => {
    try {
      if (!checkHost(req, res)) return;
      let path = pathOf(req.url);
      if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
      const route = routes.get(path);
      if (route) return route(req, res);
      if (path !== MCP_PATH) return sendJsonRpcError(res, 404, -32000, 'Not Found');
      if (req.method === 'POST') return void postMcp(req, res).catch((err: unknown) => onError(res, err));
      return rejectMcpMethod(res);
    } catch (err) {
      onError(res, err);
    }
  };
}
