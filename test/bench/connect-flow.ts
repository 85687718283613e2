/**
 * The whole connect flow a user waits for — 401 → RFC 9728 PRM → RFC 8414 AS metadata → authorization
 * code + PKCE (lab sign-in) → token → MCP initialize → tools/list — timed two ways in one run:
 * ours (core/client/connect-server.ts, the engine the CLI and the extension run) and the MCP SDK's own client
 * (`auth()` via StreamableHTTPClientTransport's authProvider, the pattern the SDK documents). Both sign in
 * through the same non-interactive lab login (lab/lab-login.ts), so the difference is the clients.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { publicClient } from '../../src/core/client/mcp-authorization';
import { connectServer } from '../../src/core/client/connect-server';
import { driveLabLogin, findLabCredentials } from '../../src/lab/lab-login';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { cliGrant } from '../../src/cli/lab-token';

/**
 * Ours: one full connect as `user`, then close. Resolves with the number of tools listed; `steps`, if
 * given, receives how long each step took (the flow reports each step when it ends).
 */
export async function connectOurs(
  url: string,
  user = 'alice',
  steps?: Record<string, number[]>,
): Promise<number> {
  let last = performance.now();
  const connected = await connectServer(url, {
    credentials: publicClient(VSCODE_CLIENT_ID),
    grant: cliGrant({ user }),
    onStep: (e) => {
      const now = performance.now();
      if (steps) (steps[e.step] ??= []).push(now - last);
      last = now;
    },
  });
  const n = connected.tools.length;
  await connected.close();
  return n;
}

/** A loopback redirect receiver (RFC 8252 §7.3), as any native client needs: resolves with the code. */
async function startReceiver(): Promise<{ url: string; code: Promise<string>; close(): void }> {
  let deliver!: (code: string) => void;
  let fail!: (err: Error) => void;
  const code = new Promise<string>((resolve, reject) => ((deliver = resolve), (fail = reject)));
  const server = http.createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('signed in');
    const value = params.get('code');
    if (value) deliver(value);
    else fail(new Error(`redirect without a code: ${params.get('error')}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    code,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

/**
 * The SDK's OAuthClientProvider for a pre-registered public client (VS Code's client id, loopback
 * redirect): "redirecting" signs in through the lab's pages and delivers the redirect to the receiver,
 * as a browser would — the same work core's loginWithAuthorizationCode does for ours.
 */
class LabSdkProvider implements OAuthClientProvider {
  private verifier = '';
  private saved?: OAuthTokens;
  signedIn?: Promise<void>;
  constructor(
    private readonly user: string,
    private readonly receiverUrl: string,
  ) {}
  get redirectUrl() {
    return this.receiverUrl;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      redirect_uris: [this.redirectUrl],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'sherpa-bench-sdk-client',
    };
  }
  clientInformation() {
    return { client_id: VSCODE_CLIENT_ID };
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.signedIn = driveLabLogin(url, findLabCredentials(this.user)).then(async (redirect) => {
      await (await fetch(redirect)).arrayBuffer();
    });
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** The SDK's client: connect → 401 → auth() → redirect (lab sign-in) → finishAuth → connect → tools/list. */
export async function connectSdk(url: string, user = 'alice'): Promise<number> {
  const receiver = await startReceiver();
  try {
    const provider = new LabSdkProvider(user, receiver.url);
    const client = new Client({ name: 'bench-sdk', version: '0.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
      throw new Error('the server accepted the SDK client without a token');
    } catch (err) {
      if (!(err instanceof UnauthorizedError) || !provider.signedIn) throw err;
    }
    await provider.signedIn;
    const retry = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    await retry.finishAuth(await receiver.code);
    const authed = new Client({ name: 'bench-sdk', version: '0.0.0' });
    await authed.connect(retry);
    const { tools } = await authed.listTools();
    await authed.close();
    return tools.length;
  } finally {
    receiver.close();
  }
}

export interface ConnectTimings {
  coldMs: number;
  warmMedianMs: number;
  warmMinMs: number;
  warmMaxMs: number;
  tools: number;
}

/** First run (cold: new connections, first use of every code path) and the median of `warm` more. */
export async function timeConnect(run: () => Promise<number>, warm: number): Promise<ConnectTimings> {
  let t = performance.now();
  const tools = await run();
  const coldMs = performance.now() - t;
  const runs: number[] = [];
  for (let i = 0; i < warm; i++) {
    t = performance.now();
    await run();
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  return {
    coldMs,
    warmMedianMs: runs[Math.floor(runs.length / 2)]!,
    warmMinMs: runs[0]!,
    warmMaxMs: runs[runs.length - 1]!,
    tools,
  };
}
