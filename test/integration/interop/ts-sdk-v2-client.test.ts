/**
 * The official TypeScript SDK v2 client (npm `@modelcontextprotocol/client`, pinned in
 * scripts/tools-lock/mcp-client-2.4.0 and installed outside the project by scripts/ensure-tools.mjs) against
 * `sherpa lab` and `sherpa lab --entra` (issue 17 §2). The SDK does discovery (RFC 9728 PRM, RFC 8414),
 * registration, PKCE and the token requests; the OAuthClientProvider below is the part every application
 * writes: storage, and a "browser" — here the lab's sign-in page driven by the lab's login driver. What the
 * client asked for is read from the lab's log and must equal its row in test/interop/client-behaviour.json.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeJwt } from 'jose';
import { LAB_USERS, type LabUser } from '../../../src/servers/shared/lab-defaults';
import { driveLabLogin, type LabRoute } from '../../../src/lab/lab-login';
import { VSCODE_CLIENT_ID } from '../../../src/core/well-known-ids';
import { findFreePorts } from '../../../src/lab/free-port';
import { ensureTools, requireTool } from '../../../scripts/tools-manifest';
import type { LabProcess } from '../../support/lab';
import {
  assertRecorded,
  behaviourFrom,
  labRequests,
  recordClientCell,
} from '../../support/interop/client-requests';
import { entraLabSuite, labSuite } from '../../support/interop/lab-suite';
import { InMemoryOAuthStore } from '../../support/interop/oauth-store';

const [alice, bob] = LAB_USERS as unknown as [LabUser, LabUser];

// The package lives in the tools cache, not in the project's node_modules: the few shapes used here.
interface Tokens {
  access_token: string;
  refresh_token?: string;
}
interface ToolResult {
  content: Array<{ type: string; text?: string }>;
  isError?: boolean;
}
interface SdkClient {
  connect(transport: unknown): Promise<void>;
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<ToolResult>;
  close(): Promise<void>;
}
interface SdkTransport {
  finishAuth(callback: URLSearchParams): Promise<void>;
}
interface Sdk {
  Client: new (info: { name: string; version: string }) => SdkClient;
  StreamableHTTPClientTransport: new (
    url: URL,
    o: { authProvider: unknown; fetch?: typeof fetch },
  ) => SdkTransport;
  UnauthorizedError: new () => Error;
}

const tool = requireTool(ensureTools(['mcp-client']).mcpClient, 'mcpClient');
const sdk = (await import(pathToFileURL(join(tool.root, 'dist', 'index.mjs')).href)) as Sdk;
const CLIENT = '@modelcontextprotocol/client';

/** In-memory provider: the application's storage, and its "browser" = the lab's page driven by program. */
class LabPageProvider extends InMemoryOAuthStore<{ client_id: string; issuer?: string }, Tokens> {
  discovery?: unknown;
  callback?: URL;

  constructor(
    redirectUrl: string,
    readonly user: LabUser,
    readonly route?: LabRoute,
    preRegistered?: { clientId: string; issuer: string },
  ) {
    super(redirectUrl, 'TypeScript SDK v2 client (Sherpa interop test)');
    // A pre-registered id is bound to the issuer it was registered with (the SDK checks the stamp).
    if (preRegistered) this.client = { client_id: preRegistered.clientId, issuer: preRegistered.issuer };
  }
  // Kept with the verifier so the SDK can bind the callback to the authorization server it used.
  saveDiscoveryState(state: unknown) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
  async redirectToAuthorization(url: URL) {
    this.callback = await driveLabLogin(url, this.user, this.route);
  }
}

interface Connected {
  client: SdkClient;
  provider: LabPageProvider;
  transportFetch?: typeof fetch;
}

/** Sign-in (401 → the SDK's flow → our page driver → finishAuth), then a connected client. */
async function signInAndConnect(
  url: string,
  user: LabUser,
  o: { route?: LabRoute; preRegistered?: { clientId: string; issuer: string } } = {},
): Promise<Connected> {
  const [port] = await findFreePorts('127.0.0.1', 1);
  const provider = new LabPageProvider(`http://127.0.0.1:${port}/callback`, user, o.route, o.preRegistered);
  // On a machine behind the lab proxy, only the Entra authority goes through it (NO_PROXY=127.0.0.1).
  const transportFetch = o.route
    ? (((input: string | URL, init?: RequestInit) =>
        new URL(input instanceof Request ? input.url : input).hostname === o.route!.hosts[0]
          ? o.route!.fetch(input, init)
          : fetch(input, init)) as typeof fetch)
    : undefined;
  const options = () => ({ authProvider: provider, ...(transportFetch ? { fetch: transportFetch } : {}) });
  const first = new sdk.StreamableHTTPClientTransport(new URL(url), options());
  await assert.rejects(new sdk.Client({ name: 'sherpa-interop', version: '0' }).connect(first), (err) => {
    assert.ok(err instanceof sdk.UnauthorizedError, `expected UnauthorizedError, got ${String(err)}`);
    return true;
  });
  assert.ok(
    provider.callback?.searchParams.get('code'),
    `the lab redirected without a code: ${provider.callback?.href}`,
  );
  // The callback's query as the application's receiver would hand it over: `code` and RFC 9207 `iss`.
  await first.finishAuth(provider.callback!.searchParams);
  const client = new sdk.Client({ name: 'sherpa-interop', version: '0' });
  await client.connect(new sdk.StreamableHTTPClientTransport(new URL(url), options()));
  return { client, provider, ...(transportFetch ? { transportFetch } : {}) };
}

const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('');

/** Reconnects with the access token replaced by a refused one: a client that refreshes gets back in. */
async function reconnectWithRefusedAccessToken(url: string, c: Connected): Promise<SdkClient | Error> {
  c.provider.saved = { ...c.provider.saved!, access_token: 'refused-by-the-server' };
  const client = new sdk.Client({ name: 'sherpa-interop', version: '0' });
  const transport = new sdk.StreamableHTTPClientTransport(new URL(url), {
    authProvider: c.provider,
    ...(c.transportFetch ? { fetch: c.transportFetch } : {}),
  });
  return client.connect(transport).then(
    () => client,
    (err: Error) => err,
  );
}

async function exercise(lab: LabProcess, labMode: 'lab' | 'entra', route?: LabRoute) {
  const preRegistered = labMode === 'entra' ? { clientId: VSCODE_CLIENT_ID, issuer: lab.issuer } : undefined;
  const from = lab.logs().length;
  let aliceSignIn: ReturnType<typeof behaviourFrom>;
  const a = await signInAndConnect(lab.secure, alice, { route, preRegistered });
  try {
    const tools = (await a.client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(tools, ['get_secret_from_vault', 'get_user_info', 'whoami']);
    const me = JSON.parse(textOf(await a.client.callTool({ name: 'whoami', arguments: {} }))) as Record<
      string,
      unknown
    >;
    assert.equal(me.oid, alice.oid);
    assert.equal(me.scp, 'access_as_user');
    assert.equal(decodeJwt(a.provider.saved!.access_token).aud, lab.clientId);
    // Alice (admin) reads her own record.
    const own = await a.client.callTool({ name: 'get_user_info', arguments: { user_id: 'user_001' } });
    assert.notEqual(own.isError, true, textOf(own));

    // Its access token refused (401 invalid_token): with a refresh token it must get back in by itself.
    const hadRefreshToken = Boolean(a.provider.saved?.refresh_token);
    const again = await reconnectWithRefusedAccessToken(lab.secure, a);
    if (hadRefreshToken) {
      assert.ok(!(again instanceof Error), `no reconnect after the refused token: ${String(again)}`);
      assert.deepEqual((await again.listTools()).tools.length, 3);
      await again.close();
    }
    aliceSignIn = behaviourFrom(labRequests(lab.logs(), from), lab.secure);
    assertRecorded(CLIENT, labMode, aliceSignIn);
  } finally {
    await a.client.close();
  }

  // Bob is refused alice's record by the secure server's object-level check (get_user_info).
  const b = await signInAndConnect(lab.secure, bob, { route, preRegistered });
  try {
    const r = await b.client.callTool({ name: 'get_user_info', arguments: { user_id: 'user_001' } });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /Access denied/);
    recordClientCell({
      client: 'TypeScript SDK v2 client (@modelcontextprotocol/client)',
      clientVersion: tool.version,
      lab: labMode,
      behaviour: aliceSignIn,
      tools: 'ok — tools/list (3), tools/call whoami, reconnected by refresh after a refused token',
      bobRefused: textOf(r),
      notes:
        labMode === 'entra'
          ? 'pre-registered client id handed to the SDK with its issuer (Entra has no DCR)'
          : 'the redirect URI is the application’s; requires RFC 9207 iss in the callback',
      test: 'test/integration/interop/ts-sdk-v2-client.test.ts',
    });
  } finally {
    await b.client.close();
  }
}

describe(`${CLIENT} ${tool.version} (TypeScript SDK v2) → sherpa lab`, () => {
  const suite = labSuite();

  test('signs in as alice (its own DCR, PKCE, the lab’s page), lists tools, calls whoami; bob is refused alice’s record; as recorded', async () => {
    await exercise(suite.lab, 'lab');
  });
});

describe(`${CLIENT} ${tool.version} (TypeScript SDK v2) → sherpa lab --entra`, () => {
  const suite = entraLabSuite();

  test('with VS Code’s pre-authorised client id (Entra has no DCR): signs in, whoami, bob refused; as recorded', async () => {
    await exercise(suite.lab, 'entra', suite.route);
  });
});
