/**
 * One bounded load run with autocannon (keep-alive connections, loopback only): POSTs a JSON-RPC
 * `tools/list` and summarises throughput, latency percentiles and status codes.
 */
import autocannon from 'autocannon';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

export const TOOLS_LIST_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
/** A request the SDK answers every time (no remembered answer): tools/call whoami. */
export const WHOAMI_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'whoami', arguments: {} },
});

export const MCP_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
};

export interface LoadOptions {
  url: string;
  /** Fixed Authorization header value, or none. */
  authorization?: string;
  /** One token per request, in order (wrapping around); overrides `authorization`. */
  tokens?: string[];
  connections?: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  /** Exact number of requests. */
  amount?: number;
  /** JSON-RPC body; default tools/list. */
  body?: string;
  /** Extra request headers (a peer's `mcp-session-id`). */
  headers?: Record<string, string>;
}

export interface LoadSummary {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Latency percentiles are 1 ms resolution in autocannon; max is the worst seen. */
  maxMs: number;
  statuses: Record<string, number>;
  errors: number;
}

/** Runs autocannon and returns the summary; never throws for HTTP error statuses (they are counted). */
export async function runLoad(o: LoadOptions): Promise<LoadSummary> {
  const url = new URL(o.url);
  if (url.hostname !== '127.0.0.1')
    throw Object.assign(new Error('bench is loopback-only'), { code: 'not_loopback' });
  const headers = {
    ...MCP_HEADERS,
    ...o.headers,
    ...(o.authorization ? { authorization: o.authorization } : {}),
  };
  let next = 0;
  const tokens = o.tokens;
  const result = await autocannon({
    url: o.url,
    method: 'POST',
    connections: o.connections ?? 10,
    pipelining: 1,
    ...(o.amount ? { amount: o.amount } : { duration: o.duration ?? 5 }),
    requests: [
      {
        method: 'POST',
        body: o.body ?? TOOLS_LIST_BODY,
        headers,
        ...(tokens
          ? {
              setupRequest: (req: autocannon.Request) => ({
                ...req,
                headers: { ...headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
              }),
            }
          : {}),
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    requests: total,
    seconds: result.duration,
    rps: total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    statuses,
    errors: result.errors + result.timeouts,
  };
}
