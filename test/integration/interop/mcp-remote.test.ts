/**
 * mcp-remote (npm, pinned in package.json) — the stdio ↔ Streamable HTTP bridge Claude Desktop and other
 * local-only clients use for remote servers — against `sherpa lab` (issue 17 §2). It signs in by itself: dynamic
 * client registration (RFC 7591), PKCE, its own loopback callback; it "opens the browser" by running `gio open
 * URL` (one of the openers it tries), and a stand-in `gio` on PATH hands the URL to this test, which signs in on
 * the lab's page as a person would and lets the browser follow the redirect to mcp-remote's callback. The MCP
 * SDK's client then talks to mcp-remote over stdio, as Claude Desktop would.
 */
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { decodeJwt } from 'jose';
import { LAB_USERS, type LabUser } from '../../../src/servers/shared/lab-defaults';
import { assertLoopbackUrl, driveLabLogin } from '../../../src/lab/lab-login';
import { REPO_ROOT } from '../../support/lab';
import {
  assertRecorded,
  behaviourFrom,
  labRequests,
  recordClientCell,
  type ClientBehaviour,
} from '../../support/interop/client-requests';
import { labSuite } from '../../support/interop/lab-suite';

const [alice, bob] = LAB_USERS as unknown as [LabUser, LabUser];
const MCP_REMOTE = join(REPO_ROOT, 'node_modules', 'mcp-remote', 'dist', 'proxy.js');
const MCP_REMOTE_VERSION = (
  JSON.parse(await readFile(join(REPO_ROOT, 'node_modules', 'mcp-remote', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
// mcp-remote needs Node 22+: the project's own Node (the `node` devDependency) when this runner is older.
const PROJECT_NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');
const NODE = existsSync(PROJECT_NODE) ? PROJECT_NODE : process.execPath;

interface Session {
  client: Client;
  /** The authorization request mcp-remote sent "the browser" to. */
  authorizationUrl: URL;
  /** What mcp-remote stored in its config folder (client registration, tokens). */
  stored: Record<string, Record<string, unknown>>;
  stderr(): string;
  close(): Promise<void>;
}

/** mcp-remote for `url` with its own config folder and a `gio` that signs in as `user` on the lab's page. */
async function connectThroughMcpRemote(url: string, user: LabUser): Promise<Session> {
  const dir = await mkdtemp(join(tmpdir(), 'sherpa-mcp-remote-'));
  const urlsFile = join(dir, 'opened-urls');
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'gio'), `#!/bin/sh\n[ "$1" = open ] && printf '%s\\n' "$2" >> '${urlsFile}'\n`);
  await chmod(join(bin, 'gio'), 0o755);

  let authorizationUrl: URL | undefined;
  let signingIn: Promise<void> | undefined;
  const watcher = setInterval(() => {
    if (signingIn || !existsSync(urlsFile)) return;
    signingIn = (async () => {
      const opened = new URL((await readFile(urlsFile, 'utf8')).trim().split('\n')[0]!);
      authorizationUrl = opened;
      const redirect = await driveLabLogin(opened, user);
      assertLoopbackUrl(redirect);
      await (await fetch(redirect)).arrayBuffer();
    })();
  }, 100);

  const transport = new StdioClientTransport({
    command: NODE,
    args: [MCP_REMOTE, url],
    env: {
      ...(process.env as Record<string, string>),
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      MCP_REMOTE_CONFIG_DIR: join(dir, 'config'),
    },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'claude-desktop-stand-in', version: '0' });
  try {
    await client.connect(transport);
  } catch (err) {
    throw new Error(`mcp-remote did not connect: ${(err as Error).message}\n${stderr}`, { cause: err });
  } finally {
    clearInterval(watcher);
  }
  await signingIn;
  assert.ok(authorizationUrl, `mcp-remote opened no browser:\n${stderr}`);

  const stored: Session['stored'] = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.json')) stored[e.name] = JSON.parse(await readFile(p, 'utf8')) as never;
    }
  };
  await walk(join(dir, 'config'));
  return {
    client,
    authorizationUrl,
    stored,
    stderr: () => stderr,
    close: async () => {
      await client.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const textOf = (r: Awaited<ReturnType<Client['callTool']>>) =>
  (r.content as Array<{ type: string; text: string }>).map((c) => c.text).join('');

describe(`mcp-remote ${MCP_REMOTE_VERSION} (a client nobody here wrote) → sherpa lab`, () => {
  const suite = labSuite();
  /** Alice's sign-in as the lab saw it: the matrix row is written once bob's refusal is measured too. */
  let aliceSignIn: ClientBehaviour | undefined;

  test('signs in as alice via DCR on the lab’s page, lists the tools, calls whoami; what it does on the wire', async (t) => {
    const from = suite.lab.logs().length;
    const s = await connectThroughMcpRemote(suite.lab.secure, alice);
    try {
      const tools = (await s.client.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(tools, ['get_secret_from_vault', 'get_user_info', 'whoami']);
      const me = JSON.parse(textOf(await s.client.callTool({ name: 'whoami', arguments: {} }))) as Record<
        string,
        unknown
      >;
      assert.equal(me.oid, alice.oid);
      assert.equal(me.scp, 'access_as_user');

      // Registration: RFC 7591 DCR at the lab (a client id the lab minted, not a pre-registered one).
      const a = s.authorizationUrl;
      const clientInfo = Object.values(s.stored).find((v) => 'client_id' in v && 'redirect_uris' in v)!;
      assert.ok(clientInfo, `no client registration stored: ${Object.keys(s.stored).join(', ')}`);
      assert.equal(a.searchParams.get('client_id'), clientInfo.client_id);
      assert.equal(clientInfo.token_endpoint_auth_method, 'none');
      // Redirect: http://localhost:{port}/oauth/callback (localhost, not 127.0.0.1; one fixed port per server URL).
      assert.match(a.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+\/oauth\/callback$/);
      assert.deepEqual(clientInfo.redirect_uris, [a.searchParams.get('redirect_uri')]);
      // It sends RFC 8707 `resource` (the PRM resource), PKCE S256, and asks the challenge's scope plus
      // offline_access; and prompt=consent.
      assert.equal(a.searchParams.get('resource'), suite.lab.secure);
      assert.equal(a.searchParams.get('code_challenge_method'), 'S256');
      const scopes = (a.searchParams.get('scope') ?? '').split(' ');
      assert.ok(scopes.includes(`${suite.lab.secure}/access_as_user`), a.href);
      assert.ok(scopes.includes('offline_access'), a.href);
      assert.equal(a.searchParams.get('prompt'), 'consent');
      // It got a refresh token (offline_access) and an access token for the lab API.
      const tokens = Object.values(s.stored).find((v) => 'access_token' in v)!;
      assert.ok(tokens.refresh_token, 'offline_access gave a refresh token');
      assert.equal(decodeJwt(String(tokens.access_token)).aud, suite.lab.clientId);
      // The same, as the lab's request log saw it (test/interop/client-behaviour.json).
      aliceSignIn = behaviourFrom(labRequests(suite.lab.logs(), from), suite.lab.secure);
      assertRecorded('mcp-remote', 'lab', aliceSignIn);
      t.diagnostic(
        JSON.stringify({
          client: 'mcp-remote',
          version: MCP_REMOTE_VERSION,
          registration: 'DCR',
          redirect_uri: a.searchParams.get('redirect_uri'),
          resource: a.searchParams.get('resource'),
          scope: a.searchParams.get('scope'),
          prompt: a.searchParams.get('prompt'),
          grant_types: clientInfo.grant_types,
          refresh_token: Boolean(tokens.refresh_token),
        }),
      );
    } finally {
      await s.close();
    }
  });

  test('bob through mcp-remote is refused alice’s record (the server’s object-level check holds)', async () => {
    const s = await connectThroughMcpRemote(suite.lab.secure, bob);
    try {
      const r = await s.client.callTool({ name: 'get_user_info', arguments: { user_id: 'user_001' } });
      assert.equal(r.isError, true);
      assert.match(textOf(r), /Access denied/);
      assert.ok(aliceSignIn, 'alice’s sign-in was not measured (the test before this one failed)');
      recordClientCell({
        client: 'mcp-remote',
        clientVersion: MCP_REMOTE_VERSION,
        lab: 'lab',
        behaviour: aliceSignIn,
        tools: 'ok — tools/list (3), tools/call whoami',
        bobRefused: textOf(r),
        notes:
          'stdio bridge for local-only clients; redirect on localhost with a port derived from the server URL',
        test: 'test/integration/interop/mcp-remote.test.ts',
      });
    } finally {
      await s.close();
    }
  });
});
