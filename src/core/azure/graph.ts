/**
 * Microsoft Graph over plain HTTPS (./azure-http.ts): a handful of calls for app registrations, where the Graph SDKs would add
 * megabytes. Token scope `{graph}/.default` (delegated Application.ReadWrite.All for writes); 429/503 are
 * retried after `Retry-After` (bounded); errors keep Graph's `{ error: { code, message } }`.
 */
import { SherpaError } from '../errors';
import type { AzureContext } from './azure-context';
import { azureHttp } from './azure-http';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export async function graphRequest<T = unknown>(
  ctx: AzureContext,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  o: { body?: unknown; headers?: Record<string, string>; maxRetries?: number } = {},
): Promise<T> {
  const base = ctx.endpoints.graph;
  const token = await ctx.credential.getToken(`${base}/.default`);
  if (!token) {
    throw new SherpaError('AZURE_SIGN_IN_REQUIRED', 'No Microsoft Graph token', {
      hint: 'Sign in to Azure (az login, or "Sherpa Azure: Sign In to Azure").',
    });
  }
  const url = path.startsWith('https://') ? path : `${base}${path}`;
  for (let attempt = 0; ; attempt++) {
    const res = await azureHttp(method, url, {
      token: token.token,
      body: o.body,
      headers: o.headers,
      timeoutMs: ctx.timeoutMs,
    });
    if ((res.status === 429 || res.status === 503) && attempt < (o.maxRetries ?? 3)) {
      const wait = Math.min(Number(res.headers.get('retry-after') ?? '1') || 1, 30);
      await new Promise((r) => setTimeout(r, wait * 1000));
      continue;
    }
    const text = res.text;
    const ok = res.status >= 200 && res.status < 300;
    if (!ok) {
      let code = String(res.status);
      let message = text.slice(0, 300);
      try {
        const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
        code = e?.code ?? code;
        message = e?.message ?? message;
      } catch {
        // not JSON: keep the start of the body
      }
      throw new GraphError(
        res.status,
        code,
        `Graph ${method} ${path.split('?')[0]}: ${res.status} ${code}: ${message}`,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
