/**
 * One HTTPS request through the Azure SDKs' own transport (@azure/core-rest-pipeline's default client),
 * for the few calls without an SDK client (Microsoft Graph, subscription lists). Same TLS, proxy
 * (HTTPS_PROXY) and trust store as the @azure/arm-* clients — Node's global fetch honours neither the
 * proxy variables nor a CA added at run time.
 */
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';

export interface AzureHttpResponse {
  status: number;
  headers: { get(name: string): string | undefined };
  text: string;
}

const client = createDefaultHttpClient();

export async function azureHttp(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  o: { token: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
): Promise<AzureHttpResponse> {
  const res = await client.sendRequest(
    createPipelineRequest({
      url,
      method,
      timeout: o.timeoutMs ?? 15_000,
      headers: createHttpHeaders({
        authorization: `Bearer ${o.token}`,
        accept: 'application/json',
        ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...o.headers,
      }),
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    }),
  );
  return { status: res.status, headers: { get: (n) => res.headers.get(n) }, text: res.bodyAsText ?? '' };
}
