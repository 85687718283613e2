/**
 * "Connect to a protected MCP server" for people: the engine (mcp-authorization.ts) under an MCP
 * session (MCP spec 2025-11-25 "Transports" and "Authorization Flow Steps"). `initialize` without a
 * token meets the 401 that starts the engine's steps — probe → prm → as-metadata → registration →
 * token — then initialize and tools/list complete with the token. The result carries everything
 * discovery learnt, so the CLI and the extension never discover again.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { DiscoveredProtectedResource } from '../discovery/protected-resource';
import type { BearerChallenge } from '../discovery/www-authenticate';
import { SherpaError, isSherpaError } from '../errors';
import { connectMcp, type McpSession } from '../mcp/mcp-connect';
import { RequestClock } from '../mcp/request-clock';
import { countOf } from '../plural';
import { buildTokenExpectations } from '../token/token-expectations';
import type { TokenExpectations } from '../token/token-inspection';
import type { TokenSet } from '../token/token-set';
import {
  createMcpAuthorization,
  type AuthorizationState,
  type LearntAuthorizationServer,
  type McpAuthorization,
  type McpAuthorizationOptions,
} from './mcp-authorization';
import type { ConnectStepEvent } from './steps';

export interface ConnectOptions extends Omit<McpAuthorizationOptions, 'serverUrl'> {
  /** MCP clientInfo.name (default "sherpa"). */
  mcpClientName?: string;
  /**
   * Audiences and tenants known out of band for an issuer (the local lab reports its API client id and
   * tenant), for the token expectations (core/token/token-expectations.ts).
   */
  knownIdentity?: (issuer: string) => { audiences?: string[]; tenants?: string[] } | undefined;
}

export interface ConnectedServer {
  readonly serverUrl: string;
  /** The 401 challenge of the unauthenticated request. */
  readonly challenge?: BearerChallenge;
  /** Undefined for a 2025-03-26 server (no PRM). */
  readonly prm?: DiscoveredProtectedResource;
  readonly authorizationServer: LearntAuthorizationServer;
  /** The client id used, how it was obtained (pre-registered, CIMD, DCR) and its auth method; no secret. */
  readonly client: NonNullable<AuthorizationState['client']>;
  /** The resource the token is for (PRM resource, else the server URL). */
  readonly resource: string;
  /** Scopes requested for the current token, and those it carries. */
  readonly scopes: string[];
  readonly grantedScopes: string[];
  /** What the current token should look like, from discovery (the Token view's and CLI's checks). */
  readonly expectations: TokenExpectations;
  readonly tokens: TokenSet;
  readonly tools: Tool[];
  readonly session: McpSession;
  /** Authorizations so far (initial, retries, step-ups). */
  readonly authorizations: number;
  /** Calls a tool; the engine re-authorizes once on 401 and steps up on 403 insufficient_scope. */
  callTool(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Connects to `serverUrl`; each step reports through `onStep`, and a failing step throws. */
export async function connectServer(serverUrl: string, options: ConnectOptions): Promise<ConnectedServer> {
  const emit = options.onStep;
  let probed = false;
  let failed = false;
  // One clock for the session's requests, held by the engine while a person signs in (issue 20: a
  // 15 s MCP timeout must not run while someone reads the consent dialog and types a password).
  const clock = options.clock ?? new RequestClock();
  const auth: McpAuthorization = createMcpAuthorization({
    ...options,
    clock,
    serverUrl,
    onStep: (e) => {
      probed ||= e.step === 'probe';
      failed ||= e.status === 'fail';
      emit?.(e);
    },
  });
  const mcpOptions = {
    fetch: auth.fetch,
    clock,
    ...(options.mcpClientName ? { clientName: options.mcpClientName } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  // A failure before any 401 (unreachable, not MCP, a refused URL) is the probe's; one after an engine
  // step failed was already reported by that step. A cancelled connect is LOGIN_ABORTED, whatever the
  // SDK made of the abort.
  const fail = (step: 'initialize' | 'tools', err: unknown): never => {
    const cancelled = options.signal?.aborted && !isSherpaError(err, 'LOGIN_ABORTED');
    const error = cancelled
      ? new SherpaError('LOGIN_ABORTED', 'Connecting was cancelled', { cause: err })
      : err;
    if (!failed) {
      const detail = error instanceof Error ? error.message : String(error);
      emit?.({ step: probed ? step : 'probe', status: 'fail', detail });
    }
    throw error;
  };
  // Steps that succeed before the engine has a token are held back: a server that never asks for one
  // must not print "✔ initialize" and its tools before NO_CHALLENGE; one that lets initialize through
  // (as the conformance suite's do) reports it after the token, saying it went without one.
  const held: ConnectStepEvent[] = [];
  const report = (e: ConnectStepEvent, tokenless: boolean) => {
    if (tokenless && !auth.state.tokens) return void held.push(e);
    for (const h of held.splice(0)) emit?.({ ...h, detail: `${h.detail} (without a token)` });
    emit?.(e);
  };
  const session = await connectMcp(serverUrl, mcpOptions).catch((err) => fail('initialize', err));
  report({ step: 'initialize', status: 'ok', detail: describeSession(session) }, true);
  try {
    const tools = await session.listTools().catch((err) => fail('tools', err));
    if (!auth.state.tokens) {
      const err = new SherpaError('NO_CHALLENGE', `${serverUrl} accepted a request without any token`, {
        hint: 'This server is not protected: anyone who can reach it can use its tools.',
      });
      emit?.({ step: 'probe', status: 'fail', detail: err.message });
      throw err;
    }
    report({ step: 'tools', status: 'ok', detail: describeTools(tools) }, false);
    return connected(serverUrl, auth, session, tools, options);
  } catch (err) {
    await session.close();
    throw err;
  }
}

function connected(
  serverUrl: string,
  auth: McpAuthorization,
  session: McpSession,
  tools: Tool[],
  options: ConnectOptions,
): ConnectedServer {
  const s = auth.state;
  return {
    serverUrl,
    ...(s.challenge ? { challenge: s.challenge } : {}),
    get prm() {
      return s.prm;
    },
    get authorizationServer() {
      return s.authorizationServer!;
    },
    get client() {
      return s.client!;
    },
    get resource() {
      return s.resource;
    },
    get scopes() {
      return s.scopes;
    },
    get grantedScopes() {
      return auth.grantedScopes();
    },
    get expectations() {
      const issuer = s.authorizationServer!.issuer;
      const known = options.knownIdentity?.(issuer);
      return buildTokenExpectations({
        resource: s.resource,
        scopes: s.scopes,
        issuers: s.prm?.metadata.authorization_servers ?? [issuer],
        ...(known?.audiences ? { knownAudiences: known.audiences } : {}),
        ...(known?.tenants ? { knownTenants: known.tenants } : {}),
      });
    },
    get tokens() {
      return s.tokens!;
    },
    tools,
    session,
    get authorizations() {
      return s.authorizations;
    },
    callTool: (name, args = {}) => session.callTool(name, args),
    close: () => session.close(),
  };
}

function describeTools(t: Tool[]): string {
  return `${countOf(t.length, 'tool')}: ${t.map((x) => x.name).join(', ')}`;
}

function describeSession(s: McpSession): string {
  return `${s.serverName ?? 'server'} ${s.serverVersion ?? ''} (protocol ${s.protocolVersion ?? '?'})`.replace(
    /\s+/g,
    ' ',
  );
}
