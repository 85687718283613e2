/**
 * "Connect to a protected MCP server" as a sequence of observable steps (MCP authorization spec
 * 2025-11-25 §"Authorization Flow Steps"): probe → 401 + challenge (RFC 6750 §3) → Protected Resource
 * Metadata (RFC 9728) → authorization server metadata (RFC 8414 / OIDC discovery) → token (the caller's
 * callback decides how: browser, lab form, device code) → MCP initialize → tools/list.
 * The CLI prints the step events; the extension shows them as progress.
 */
import type { Configuration, CustomFetch } from 'openid-client';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { discoverAuthorizationServer, type DiscoveredAuthorizationServer } from '../discovery/as-metadata';
import { isEntraIssuer } from '../entra';
import { SherpaError, isSherpaError } from '../errors';
import { connectMcp, createMcpFetch, type McpSession } from '../mcp/mcp-connect';
import { createGuardedFetch, networkPolicyFor } from '../net/guarded-fetch';
import { assertServerScopes, type ScopeSource } from './scope-policy';
import { discoverProtectedResource, type DiscoveredProtectedResource } from '../discovery/protected-resource';
import { decodeToken, tokenScopes } from '../token/token-inspection';
import type { TokenSet } from '../token/token-set';
import { VSCODE_CLIENT_ID } from '../well-known-ids';
import type { BearerChallenge } from '../discovery/www-authenticate';
import { countOf } from '../plural';

export type ConnectStep =
  'probe' | 'prm' | 'as-metadata' | 'token' | 'initialize' | 'tools' | 'step-up' | 'retry';
export interface ConnectStepEvent {
  step: ConnectStep;
  status: 'ok' | 'fail';
  /** One line for people, e.g. "401 with resource_metadata". Never contains a token. */
  detail: string;
}

export interface TokenRequest {
  /** The authorization server (issuer) chosen from the PRM. */
  issuer: string;
  config: Configuration;
  scopes: string[];
  /** RFC 8707 resource = the PRM resource. A caller talking to Entra may leave it out (AADSTS9010010). */
  resource: string;
  reason: 'initial' | 'retry' | 'step-up';
}

export interface ConnectFlowOptions {
  getToken: (request: TokenRequest) => Promise<TokenSet>;
  clientId?: string;
  onStep?: (event: ConnectStepEvent) => void;
  /** Scopes to ask for when neither the challenge nor the PRM names any. */
  fallbackScopes?: string[];
  /**
   * Resolve host names to check their addresses (default true). False where a proxy resolves names
   * (VS Code's `http.proxy`): names are then judged by their form only (net/guarded-fetch.ts).
   */
  resolveNames?: boolean;
  /** On Entra: `api://…` identifier URIs the person trusts as this server's API (scope-policy.ts). */
  trustedApiIdentifiers?: readonly string[];
  signal?: AbortSignal;
}

export interface ConnectedServer {
  challenge?: BearerChallenge;
  prm: DiscoveredProtectedResource;
  authorizationServer: DiscoveredAuthorizationServer;
  tokens: TokenSet;
  tools: Tool[];
  session: McpSession;
  /** Calls a tool; one silent re-authentication on 401, step-up on 403 insufficient_scope. */
  callTool(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Runs the whole flow against `serverUrl`; each step reports through `onStep`, and a failing step throws. */
export async function runConnectFlow(
  serverUrl: string,
  options: ConnectFlowOptions,
): Promise<ConnectedServer> {
  const emit = (step: ConnectStep, status: 'ok' | 'fail', detail: string) =>
    options.onStep?.({ step, status, detail });
  const step = async <T>(
    name: ConnectStep,
    run: () => Promise<T>,
    describe: (v: T) => string,
  ): Promise<T> => {
    try {
      const value = await run();
      emit(name, 'ok', describe(value));
      return value;
    } catch (err) {
      emit(name, 'fail', err instanceof Error ? err.message : String(err));
      throw err;
    }
  };
  // Every request below goes to places the server named: one network policy, made from the URL the
  // person chose, bounds them all (net/guarded-fetch.ts).
  const policy = await networkPolicyFor(serverUrl, { resolve: options.resolveNames !== false });
  const metadataFetch = createGuardedFetch(policy);
  const mcpFetch = createMcpFetch(policy);
  const mcpOptions = options.signal ? { signal: options.signal, fetch: mcpFetch } : { fetch: mcpFetch };

  // 1. Probe without a token: a protected server must answer 401 with a Bearer challenge.
  const challenge = await step(
    'probe',
    async () => {
      try {
        const s = await connectMcp(serverUrl, mcpOptions);
        await s.close();
      } catch (err) {
        if (isSherpaError(err, 'UNAUTHORIZED') || isSherpaError(err, 'TOKEN_EXPIRED')) {
          return (err.details?.challenge as BearerChallenge | undefined) ?? undefined;
        }
        throw err;
      }
      throw new SherpaError('NO_CHALLENGE', `${serverUrl} accepted a request without any token`, {
        hint: 'This server is not protected: anyone who can reach it can use its tools.',
      });
    },
    (c) =>
      c
        ? `401 Bearer${c.resourceMetadata ? ' resource_metadata=' + c.resourceMetadata : ''}${c.scope ? ' scope=' + c.scope : ''}`
        : '401 without a Bearer challenge',
  );

  // 2. RFC 9728 Protected Resource Metadata, validated against the URL we called. The scopes to ask for
  // are chosen here too (MCP spec: the challenge's scope, else the PRM's scopes_supported) and checked
  // (scope-policy.ts) before anything else happens: both are the server's words, and a refused scope
  // must stop the flow before any request reaches the authorization server it names.
  let checkScopes: (list: string[], source: ScopeSource) => string[] = () => [];
  let scopes: string[] = [];
  const prm = await step(
    'prm',
    async () => {
      const p = await discoverProtectedResource(serverUrl, {
        ...(challenge?.resourceMetadata ? { resourceMetadataUrl: challenge.resourceMetadata } : {}),
        fetch: metadataFetch,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      checkScopes = (list, source) =>
        assertServerScopes(list, {
          source,
          resource: p.metadata.resource,
          entra: isEntraIssuer(p.metadata.authorization_servers[0]!),
          ...(options.trustedApiIdentifiers ? { trustedApiIdentifiers: options.trustedApiIdentifiers } : {}),
        });
      const fromChallenge = challenge?.scope?.split(' ').filter(Boolean);
      scopes = fromChallenge?.length
        ? checkScopes(fromChallenge, 'challenge')
        : p.metadata.scopes_supported
          ? checkScopes(p.metadata.scopes_supported, 'protected-resource-metadata')
          : (options.fallbackScopes ?? []);
      return p;
    },
    (p) =>
      `${p.metadataUrl} (${p.source}): resource ${p.metadata.resource}, authorization server ${p.metadata.authorization_servers[0]}`,
  );

  // 3. Authorization server metadata for the first advertised issuer (RFC 8414 §3.3 checks it matches).
  const issuer = prm.metadata.authorization_servers[0]!;
  const as = await step(
    'as-metadata',
    () =>
      discoverAuthorizationServer(issuer, {
        clientId: options.clientId ?? VSCODE_CLIENT_ID,
        fetch: metadataFetch as CustomFetch,
      }),
    (a) => `${a.metadata.issuer} via ${a.method}; token endpoint ${a.metadata.token_endpoint}`,
  );

  // 4. Token, with the scopes chosen above.
  const requestToken = (reason: TokenRequest['reason']) =>
    options.getToken({ issuer, config: as.config, scopes, resource: prm.metadata.resource, reason });
  let tokens = await step('token', () => requestToken('initial'), describeTokens);

  // 5–6. MCP initialize and tools/list with the token.
  // A server that checks scope on every request refuses `initialize` itself with 403 insufficient_scope:
  // step up once (the challenge names the scope) and try again, as for a tool call below.
  const stepUp = async (err: SherpaError) => {
    const extra = String(err.details?.scope ?? '')
      .split(' ')
      .filter(Boolean);
    scopes = [...new Set([...scopes, ...checkScopes(extra, 'step-up challenge')])];
    tokens = await step('step-up', () => requestToken('step-up'), describeTokens);
  };
  const openSession = async () => {
    try {
      return await connectMcp(serverUrl, { accessToken: tokens.accessToken, ...mcpOptions });
    } catch (err) {
      if (!isSherpaError(err, 'INSUFFICIENT_SCOPE')) throw err;
      await stepUp(err);
      return connectMcp(serverUrl, { accessToken: tokens.accessToken, ...mcpOptions });
    }
  };
  let session = await step('initialize', openSession, (s) =>
    `${s.serverName ?? 'server'} ${s.serverVersion ?? ''} (protocol ${s.protocolVersion ?? '?'})`.replace(
      /\s+/g,
      ' ',
    ),
  );
  const tools = await step(
    'tools',
    () => session.listTools(),
    (t) => `${countOf(t.length, 'tool')}: ${t.map((x) => x.name).join(', ')}`,
  );

  const reconnect = async () => {
    await session.close();
    session = await connectMcp(serverUrl, { accessToken: tokens.accessToken, ...mcpOptions });
  };
  const result: ConnectedServer = {
    ...(challenge ? { challenge } : {}),
    prm,
    authorizationServer: as,
    tokens,
    tools,
    get session() {
      return session;
    },
    callTool: async (name, args = {}) => {
      try {
        return await session.callTool(name, args);
      } catch (err) {
        if (isSherpaError(err, 'UNAUTHORIZED') || isSherpaError(err, 'TOKEN_EXPIRED')) {
          tokens = await step('retry', () => requestToken('retry'), describeTokens);
        } else if (isSherpaError(err, 'INSUFFICIENT_SCOPE')) {
          await stepUp(err);
        } else throw err;
        result.tokens = tokens;
        await reconnect();
        return session.callTool(name, args); // no second retry: a loop of 401s means something is wrong
      }
    },
    close: () => session.close(),
  };
  return result;
}

/** A token summary safe to show: claims, never the token itself. */
export function describeTokens(tokens: TokenSet): string {
  try {
    const { claims } = decodeToken(tokens.accessToken);
    const aud = Array.isArray(claims.aud) ? claims.aud.join(',') : claims.aud;
    const mins =
      typeof claims.exp === 'number' ? Math.round((claims.exp - Date.now() / 1000) / 60) : undefined;
    return `access token for aud ${aud ?? '?'}, scopes ${tokenScopes(claims).join(' ') || '-'}, user ${String(claims.preferred_username ?? claims.sub ?? '?')}${mins !== undefined ? `, expires in ${mins} min` : ''}`;
  } catch {
    return `opaque access token${tokens.scope ? ` (scope ${tokens.scope})` : ''}`;
  }
}
