/**
 * MCP over Streamable HTTP (MCP spec 2025-11-25 "Transports") with the SDK's Client and a static bearer
 * token in the Authorization header (RFC 6750 §2.1). The SDK does the protocol; this file turns HTTP
 * auth failures into SherpaErrors that carry the parsed challenge, so callers can run discovery (401)
 * or step-up (403 insufficient_scope, RFC 6750 §3.1).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { SherpaError } from '../errors';
import { toNetworkFailureError } from '../net/network-failure';
import {
  createGuardedFetch,
  guardRefusalOf,
  networkPolicyFor,
  type GuardedFetch,
  type NetworkPolicy,
} from '../net/guarded-fetch';
import { findBearerChallenge, type BearerChallenge } from '../discovery/www-authenticate';
import { DEFAULT_MCP_REQUEST_TIMEOUT_MS, RequestClock } from './request-clock';

export interface McpConnectOptions {
  /** Bearer token to send; omit to probe unauthenticated. Static tokens and JWTs alike. */
  accessToken?: string;
  clientName?: string;
  signal?: AbortSignal;
  /** Per-request timeout in ms (default 15 s); ignored when `clock` is given. */
  timeoutMs?: number;
  /**
   * The clock that times each MCP request; the authorization engine holds it while a person signs in
   * (request-clock.ts). Default: a clock of its own with `timeoutMs`.
   */
  clock?: RequestClock;
  /** Default: a guarded fetch with the policy of `url` (event streams allowed, 16 MiB per response). */
  fetch?: GuardedFetch;
}

/** The guarded fetch the MCP transport uses: JSON and event-stream responses, bounded. */
export function createMcpFetch(
  policy: NetworkPolicy,
  timeoutMs = DEFAULT_MCP_REQUEST_TIMEOUT_MS,
): GuardedFetch {
  return createGuardedFetch(policy, { allowEventStream: true, maxBodyBytes: 16 << 20, timeoutMs });
}

export interface McpSession {
  client: Client;
  serverName?: string;
  serverVersion?: string;
  protocolVersion?: string;
  listTools(): Promise<Tool[]>;
  callTool(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

type RequestOptions = { timeout: number; signal: AbortSignal };
/** The longest timer node allows: the SDK's timer never fires, the request clock decides. */
const NO_SDK_TIMEOUT = 2 ** 31 - 1;

interface HttpFailure {
  status: number;
  challenge?: BearerChallenge;
  wwwAuthenticate?: string;
}

/** Connects (initialize handshake) to the MCP server at `url`. Errors: see {@link toMcpError}. */
export async function connectMcp(url: string | URL, options: McpConnectOptions = {}): Promise<McpSession> {
  let lastFailure: HttpFailure | undefined;
  const baseFetch = options.fetch ?? createMcpFetch(await networkPolicyFor(url), options.timeoutMs);
  // Wraps fetch only to remember the last auth failure: the SDK's error carries the status, not the header.
  const recordingFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const res = await baseFetch(input, init);
    if (res.status === 401 || res.status === 403) {
      const header = res.headers.get('www-authenticate') ?? undefined;
      lastFailure = {
        status: res.status,
        challenge: findBearerChallenge(header),
        ...(header ? { wwwAuthenticate: header } : {}),
      };
    }
    return res;
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: recordingFetch,
    requestInit: options.accessToken ? { headers: { authorization: `Bearer ${options.accessToken}` } } : {},
  });
  const client = new Client({ name: options.clientName ?? 'sherpa', version: '0.1.0' });
  const clock = options.clock ?? new RequestClock(options.timeoutMs);
  /**
   * Each request runs on `clock`, not on the SDK's own timer (which cannot stop while a person signs in):
   * the SDK gets no timeout of its own, and the clock's deadline cancels the request through its signal.
   */
  const wrap = async <T>(what: string, run: (o: RequestOptions) => Promise<T>): Promise<T> => {
    lastFailure = undefined;
    const deadline = new AbortController();
    const stop = clock.deadline(() => deadline.abort(clock.timeoutError(String(url), what)));
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    try {
      return await run({ timeout: NO_SDK_TIMEOUT, signal });
    } catch (err) {
      if (deadline.signal.aborted) throw deadline.signal.reason;
      throw toMcpError(err, lastFailure, String(url));
    } finally {
      stop();
    }
  };

  await wrap('initialize', (o) => client.connect(transport, o));
  const info = client.getServerVersion();
  return {
    client,
    ...(info?.name ? { serverName: info.name } : {}),
    ...(info?.version ? { serverVersion: info.version } : {}),
    ...(transport.protocolVersion ? { protocolVersion: transport.protocolVersion } : {}),
    listTools: () => wrap('tools/list', async (o) => (await client.listTools(undefined, o)).tools),
    callTool: (name, args = {}) =>
      wrap(
        `tools/call ${name}`,
        async (o) => (await client.callTool({ name, arguments: args }, undefined, o)) as CallToolResult,
      ),
    close: async () => {
      await client.close().catch(() => undefined);
    },
  };
}

/**
 * Maps a failure to a SherpaError: 401 → UNAUTHORIZED / TOKEN_EXPIRED with `details.challenge`
 * (RFC 6750 §3, RFC 9728 §5.1); 403 insufficient_scope → INSUFFICIENT_SCOPE with `details.scope`;
 * other 403 → FORBIDDEN; network errors → SERVER_UNREACHABLE; anything else → MCP_ERROR.
 */
export function toMcpError(err: unknown, failure: HttpFailure | undefined, url: string): SherpaError {
  if (err instanceof SherpaError) return err;
  const refusal = guardRefusalOf(err);
  if (refusal) return refusal;
  const status = err instanceof StreamableHTTPError ? err.code : undefined;
  const challenge = failure?.challenge;
  const details = { status, challenge, wwwAuthenticate: failure?.wwwAuthenticate };
  if (status === 401 || (status === undefined && failure?.status === 401)) {
    const expired = /expire/i.test(challenge?.errorDescription ?? '');
    return new SherpaError(
      expired ? 'TOKEN_EXPIRED' : 'UNAUTHORIZED',
      `${url} answered 401${challenge?.error ? ` (${challenge.error}${challenge.errorDescription ? `: ${challenge.errorDescription}` : ''})` : ''}`,
      {
        cause: err,
        hint: expired
          ? 'Sign in again to get a fresh token.'
          : 'Sign in to this server first; Sherpa finds out how from its answer.',
        details,
      },
    );
  }
  if (status === 403 || failure?.status === 403) {
    if (challenge?.error === 'insufficient_scope') {
      return new SherpaError(
        'INSUFFICIENT_SCOPE',
        `${url} needs more scope${challenge.scope ? `: ${challenge.scope}` : ''}`,
        {
          cause: err,
          hint: 'Sign in again asking for the scope in the challenge (step-up authorization).',
          details: { ...details, scope: challenge.scope },
        },
      );
    }
    return new SherpaError('FORBIDDEN', `${url} answered 403`, { cause: err, details });
  }
  // One sentence per kind of network failure, the same as the audit's (net/network-failure.ts).
  const unreachable = toNetworkFailureError(err, url);
  if (unreachable) return unreachable;
  if (err instanceof TypeError) {
    return new SherpaError('SERVER_UNREACHABLE', `${new URL(url).host} could not be reached.`, {
      cause: err,
      hint: 'Check the address and your network; the log has the details.',
    });
  }
  return new SherpaError(
    'MCP_ERROR',
    `MCP request to ${url} failed: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err, details },
  );
}
