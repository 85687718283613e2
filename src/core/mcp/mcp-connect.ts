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
import {
  createGuardedFetch,
  guardRefusalOf,
  networkPolicyFor,
  type GuardedFetch,
  type NetworkPolicy,
} from '../net/guarded-fetch';
import { findBearerChallenge, type BearerChallenge } from '../discovery/www-authenticate';

export interface McpConnectOptions {
  /** Bearer token to send; omit to probe unauthenticated. Static tokens and JWTs alike. */
  accessToken?: string;
  clientName?: string;
  signal?: AbortSignal;
  /** Per-request timeout in ms (default 15 s). */
  timeoutMs?: number;
  /** Default: a guarded fetch with the policy of `url` (event streams allowed, 16 MiB per response). */
  fetch?: GuardedFetch;
}

/** The guarded fetch the MCP transport uses: JSON and event-stream responses, bounded. */
export function createMcpFetch(policy: NetworkPolicy, timeoutMs = 15_000): GuardedFetch {
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
  const requestOptions = {
    timeout: options.timeoutMs ?? 15_000,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    lastFailure = undefined;
    try {
      return await run();
    } catch (err) {
      throw toMcpError(err, lastFailure, String(url));
    }
  };

  await wrap(() => client.connect(transport, requestOptions));
  const info = client.getServerVersion();
  return {
    client,
    ...(info?.name ? { serverName: info.name } : {}),
    ...(info?.version ? { serverVersion: info.version } : {}),
    ...(transport.protocolVersion ? { protocolVersion: transport.protocolVersion } : {}),
    listTools: () => wrap(async () => (await client.listTools(undefined, requestOptions)).tools),
    callTool: (name, args = {}) =>
      wrap(
        async () =>
          (await client.callTool({ name, arguments: args }, undefined, requestOptions)) as CallToolResult,
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
          : 'Get a token for this server: follow resource_metadata in the WWW-Authenticate challenge (RFC 9728).',
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
  const cause = (err as { cause?: { code?: string } })?.cause;
  if (err instanceof TypeError || ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET'].includes(cause?.code ?? '')) {
    return new SherpaError(
      'SERVER_UNREACHABLE',
      `Cannot reach ${url}: ${cause?.code ?? (err as Error).message}`,
      {
        cause: err,
        hint: 'Is the server running? For the local lab run `sherpa lab` (or `npm run lab`).',
      },
    );
  }
  return new SherpaError(
    'MCP_ERROR',
    `MCP request to ${url} failed: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err, details },
  );
}
