/**
 * The audit's HTTP client: one MCP JSON-RPC request (initialize, tools/list, ping — nothing that changes
 * state) or a preflight, sent exactly as told — including a foreign `Host` or `Origin`, which `fetch`
 * cannot send — with a time and size bound, and recorded as redacted {@link Evidence}. Only the target
 * the person chose is contacted this way; URLs a server names go through the guarded fetch instead.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { toNetworkFailureError } from '../net/network-failure';
import { redact, registerSecret } from '../token/redact';
import type { RawExchange } from './evidence';
import type { Evidence } from './findings';

export type RpcMethod = 'initialize' | 'tools/list' | 'ping';

export interface ProbeRequest {
  /** Default POST with a JSON-RPC body; OPTIONS sends a CORS preflight, GET nothing. */
  method?: 'POST' | 'GET' | 'OPTIONS';
  rpc?: RpcMethod;
  /** Full URL; default the target. */
  url?: string;
  /** Sent as `Authorization: Bearer …`; shown in evidence only by its label. */
  token?: { value: string; label: string };
  /**
   * Authorization header value(s) sent verbatim — a malformed bearer, a lower-case scheme, or two
   * headers (an array sends one header line per value); shown in evidence only by its label.
   */
  authorization?: { values: string[]; label: string };
  headers?: Record<string, string>;
}

export interface ProbeResult {
  status: number | 'error';
  headers: Record<string, string>;
  body: string;
  error?: string;
  /** The failure behind `error`, for wording it (net/network-failure.ts); not part of the evidence. */
  failure?: Error;
  evidence: Evidence;
}

export interface ProberOptions {
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** Sees each exchange as sent and received, unredacted (the evidence bundle redacts it: evidence.ts). */
  observe?: (raw: RawExchange, evidence: Evidence) => void;
}

/** Response headers worth showing as evidence. */
const SHOWN = [
  'www-authenticate',
  'content-type',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'location',
];

let nextId = 1;

/** Sends one request to the audit target and records it. Never throws: a failure is `status: 'error'`. */
export function probe(target: string, req: ProbeRequest, o: ProberOptions = {}): Promise<ProbeResult> {
  const url = new URL(req.url ?? target);
  const method = req.method ?? 'POST';
  const { body, headers, describe } = buildProbeRequest(url, method, req);
  const max = o.maxBodyBytes ?? 64 * 1024;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<ProbeResult, 'evidence'>) => {
      if (settled) return;
      settled = true;
      const shown = Object.fromEntries(
        SHOWN.filter((h) => r.headers[h]).map((h) => [h, redact(r.headers[h]!)]),
      );
      const evidence: Evidence = {
        request: describe,
        status: r.status,
        ...(Object.keys(shown).length ? { headers: shown } : {}),
        ...(r.error ? { note: r.error } : r.body ? { note: redact(r.body).slice(0, 300) } : {}),
      };
      o.observe?.(
        {
          via: 'probe',
          method,
          url: url.href,
          requestHeaders: headers,
          ...(body ? { requestBody: body } : {}),
          ...(r.status === 'error'
            ? { error: r.error ?? 'error' }
            : { status: r.status, responseHeaders: r.headers, responseBody: r.body }),
          ...(req.authorization ? { authorizationLabel: req.authorization.label } : {}),
        },
        evidence,
      );
      resolve({ ...r, evidence });
    };
    const lib = url.protocol === 'https:' ? https : http;
    // With a foreign Host header, Node would take TLS SNI and the certificate check from it: keep both
    // on the target's own name, so the probe reaches the server and only the Host header is foreign.
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const request = lib.request(
      url,
      {
        method,
        headers,
        agent: false,
        timeout: o.timeoutMs ?? 10_000,
        ...(url.protocol === 'https:' ? { servername: isIP(hostname) ? '' : hostname } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= max) chunks.push(c);
          else res.destroy(); // enough to judge; an endless body must not hold the audit
        });
        const finish = () =>
          done({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(res.headers).map(([k, v]) => [
                k,
                Array.isArray(v) ? v.join(', ') : String(v ?? ''),
              ]),
            ),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timedOut = (message: string) => Object.assign(new Error(message), { code: 'ETIMEDOUT' });
    request.on('timeout', () => request.destroy(timedOut(`no answer within ${o.timeoutMs ?? 10_000} ms`)));
    // `timeout` is the idle time between bytes; a body that drips forever needs a deadline of its own.
    const deadline = setTimeout(
      () => request.destroy(timedOut(`not finished within ${2 * (o.timeoutMs ?? 10_000)} ms`)),
      2 * (o.timeoutMs ?? 10_000),
    );
    deadline.unref();
    request.on('close', () => clearTimeout(deadline));
    // Worded here, where the URL and the time bound are known (net/network-failure.ts).
    request.on('error', (err) =>
      done({
        status: 'error',
        headers: {},
        body: '',
        error: err.message,
        failure: toNetworkFailureError(err, url, { timeoutMs: o.timeoutMs ?? 10_000 }) ?? err,
      }),
    );
    request.end(body);
  });
}

/**
 * The request a probe sends: a JSON-RPC body for POST (`initialize` unless told), the bearer or raw
 * Authorization value(s), and the one-line description the evidence shows (tokens by label, never value).
 */
function buildProbeRequest(
  url: URL,
  method: string,
  req: ProbeRequest,
): { body: string | undefined; headers: Record<string, string | string[]>; describe: string } {
  const rpc = req.rpc ?? 'initialize';
  const body =
    method === 'POST'
      ? JSON.stringify({
          jsonrpc: '2.0',
          id: nextId++,
          method: rpc,
          params:
            rpc === 'initialize'
              ? {
                  protocolVersion: '2025-11-25',
                  capabilities: {},
                  clientInfo: { name: 'sherpa-audit', version: '0.1.0' },
                }
              : {},
        })
      : undefined;
  const raw = req.authorization?.values;
  const headers: Record<string, string | string[]> = {
    accept: 'application/json, text/event-stream',
    ...(body ? { 'content-type': 'application/json', 'mcp-protocol-version': '2025-11-25' } : {}),
    ...(req.token ? { authorization: `Bearer ${req.token.value}` } : {}),
    ...(raw ? { authorization: raw.length === 1 ? raw[0]! : raw } : {}),
    ...req.headers,
  };
  if (req.token) registerSecret(req.token.value);
  const describe = [
    `${method} ${redact(url.href)}`,
    ...(body ? [rpc] : []),
    req.token
      ? `Authorization: Bearer <${req.token.label}>`
      : req.authorization
        ? `Authorization: <${req.authorization.label}>`
        : 'no Authorization',
    ...Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${redact(v)}`),
  ].join(' · ');
  return { body, headers, describe };
}

/**
 * True for a JSON-RPC result (not an error) in a JSON body or in any event of an SSE body (WHATWG
 * "Server-sent events" §9.2: `data:` with an optional space, several data lines joined with newlines,
 * events separated by a blank line — a priming event with empty data may come first).
 */
export function isRpcSuccess(r: ProbeResult): boolean {
  if (typeof r.status !== 'number' || r.status < 200 || r.status >= 300) return false;
  const hasResult = (text: string) => {
    try {
      const v = JSON.parse(text) as unknown;
      return typeof v === 'object' && v !== null && 'result' in v;
    } catch {
      return false;
    }
  };
  if (r.body.trim().startsWith('{')) return hasResult(r.body);
  return r.body
    .replace(/\r\n?/g, '\n')
    .split('\n\n')
    .map((event) =>
      event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .some((data) => data.trim() !== '' && hasResult(data));
}
