import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { hostCheck } from './host-check';
import type { Logger } from './log';
import { handleMcpPost, rejectMcpMethod, sendJsonRpcError } from './mcp-http';
import type { MultiplexTransport } from './multiplex-transport';

/**
 * Decides who is calling. Returns the caller's AuthInfo, `undefined` for "allowed, no identity" (the
 * vulnerable server's static token carries none), or `null` after it has already written a 401/403.
 */
export type Authenticate = (req: Request, res: Response) => Promise<AuthInfo | undefined | null>;

/** What `startSecureServer` / `startVulnerableServer` return. */
export interface RunningMcpServer {
  origin: string;
  /** The MCP endpoint, `{origin}/mcp`. */
  url: string;
  close(): Promise<void>;
}

export interface McpAppOptions {
  allowedHosts: string[];
  transport: MultiplexTransport;
  authenticate: Authenticate;
  logger: Logger;
  /** Routes mounted after the Host check and before `/mcp` (e.g. RFC 9728 metadata). */
  mountExtraRoutes?: (app: Express) => void;
}

/** The express app both MCP servers share: Host/Origin check first, then auth, then the MCP endpoint. */
export function createMcpApp(o: McpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every route, metadata included, sits behind the Host check (DNS rebinding).
  app.use(hostCheck(o.allowedHosts));
  o.mountExtraRoutes?.(app);

  // Body as text so that unparsable JSON becomes our JSON-RPC parse error, not express's HTML page.
  const readBody = express.text({ type: () => true, limit: '1mb' });
  app.post('/mcp', async (req, res, next) => {
    try {
      const authInfo = await o.authenticate(req, res);
      if (authInfo === null) return;
      readBody(req, res, (err?: unknown) => {
        if (err) return next(err);
        handleMcpPost(req, res, o.transport, { authInfo, logger: o.logger }).catch(next);
      });
    } catch (err) {
      next(err);
    }
  });
  app.get('/mcp', rejectMcpMethod);
  app.delete('/mcp', rejectMcpMethod);
  app.use((_req: Request, res: Response) => sendJsonRpcError(res, 404, -32000, 'Not Found'));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return sendJsonRpcError(res, 413, -32000, 'Payload Too Large');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendJsonRpcError(res, 415, -32000, 'Unsupported body encoding');
    }
    if (type) return sendJsonRpcError(res, 400, -32700, 'Parse error: unreadable body');
    // Anything else is our bug: log it (redacted) and answer without detail.
    o.logger.error('unhandled error in MCP request', {
      error: err instanceof Error ? err.message : String(err),
    });
    if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal error');
  });
  return app;
}
