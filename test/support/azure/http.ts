import type { IncomingMessage, ServerResponse } from 'node:http';

/** Small helpers shared by the Azure-shaped handlers: JSON bodies, bounded reads, the ARM error shape. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'x-ms-request-id': crypto.randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** `{ "error": { "code", "message" } }` — Resource Manager's and Key Vault's error body. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, extra = {}) {
  sendJson(res, status, { error: { code, message, ...extra } });
}

export async function readJson(req: IncomingMessage, limit = 256 * 1024): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
}

/** Records every request a service saw, for assertions on paths, api-versions and bodies. */
export interface RecordedRequest {
  service: 'arm' | 'graph' | 'vault' | 'login';
  method: string;
  path: string;
  query: URLSearchParams;
  body?: unknown;
  status?: number;
}

/**
 * Opens one exchange of a stand-in service: reads the JSON body of `bodyMethods`, records the request,
 * and returns a `reply` that records the status it answers with.
 */
export async function openExchange(
  service: RecordedRequest['service'],
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  o: { bodyMethods: string[]; decodePath?: boolean; record: (r: RecordedRequest) => void },
) {
  const method = req.method ?? 'GET';
  const path = o.decodePath ? decodeURIComponent(url.pathname) : url.pathname;
  const body = o.bodyMethods.includes(method) ? await readJson(req) : undefined;
  const entry: RecordedRequest = { service, method, path, query: url.searchParams, body };
  o.record(entry);
  const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
    entry.status = status;
    sendJson(res, status, payload, headers);
  };
  return { method, path, body, entry, reply };
}
