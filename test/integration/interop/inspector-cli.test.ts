/**
 * The MCP Inspector v2 command line (npm `@modelcontextprotocol/inspector`, pinned in
 * scripts/tools-lock/inspector-2.12.0, run with the tools cache's Node 22 — it needs >= 22.19) against `sherpa lab`
 * and `sherpa lab --entra` (issue 17 §2). It signs in without a person: with no TTY it refuses interactive OAuth
 * unless MCP_AUTO_OPEN_ENABLED=true, then registers (or uses --client-id), starts its loopback callback listener,
 * prints the authorization URL and "opens the browser" through the `open` package — which runs `xdg-open`, here a
 * stand-in on PATH that hands the URL to this test. The test signs in on the lab's page as a person would and lets
 * "the browser" follow the redirect to the Inspector's listener. Tokens live in a throw-away HOME
 * (MCP_INSPECTOR_SECRET_STORE=file: no keychain here). What it asked for is read from the lab's log and must equal
 * its row in test/interop/client-behaviour.json.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB_USERS, type LabUser } from '../../../src/servers/shared/lab-defaults';
import { assertLoopbackUrl, driveLabLogin, type LabRoute } from '../../../src/lab/lab-login';
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

const [alice, bob] = LAB_USERS as unknown as [LabUser, LabUser];
const tools = ensureTools(['inspector']);
const inspector = requireTool(tools.inspector, 'inspector');
const NODE22 = requireTool(tools.node22, 'node22').node;
const CLIENT = '@modelcontextprotocol/inspector';

interface Run {
  code: number | null;
  /** The parsed `--format json` result on stdout. */
  json: { result?: unknown; error?: { code: string; message: string } };
  stderr: string;
}

/** One Inspector home: its HOME (storage, secrets), a PATH with the `xdg-open` stand-in, and where URLs land. */
interface InspectorHome {
  dir: string;
  env: NodeJS.ProcessEnv;
  opened: string;
}

async function inspectorHome(extraEnv: NodeJS.ProcessEnv = {}): Promise<InspectorHome> {
  const dir = await mkdtemp(join(tmpdir(), 'sherpa-inspector-'));
  const bin = join(dir, 'bin');
  const opened = join(dir, 'opened-urls');
  await mkdir(bin);
  // `open` runs xdg-open with the URL as its last argument; xdg-open falls back to $BROWSER: both land here.
  const standIn = `#!/bin/sh\nfor a; do last="$a"; done\nprintf '%s\\n' "$last" >> '${opened}'\n`;
  await writeFile(join(bin, 'xdg-open'), standIn);
  await chmod(join(bin, 'xdg-open'), 0o755);
  return {
    dir,
    opened,
    env: {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: join(dir, 'home'),
      BROWSER: join(bin, 'xdg-open'),
      MCP_INSPECTOR_SECRET_STORE: 'file',
      NO_COLOR: '1',
      ...extraEnv,
    },
  };
}

/** Runs `inspector --cli … --format json`; with `signInAs`, plays the person at the browser it opens. */
async function runInspector(
  home: InspectorHome,
  args: string[],
  o: { signInAs?: LabUser; route?: LabRoute } = {},
): Promise<Run> {
  const child = spawn(NODE22, [inspector.bin, '--cli', ...args, '--format', 'json'], {
    cwd: home.dir,
    env: {
      ...(process.env as Record<string, string>),
      ...home.env,
      ...(o.signInAs ? { MCP_AUTO_OPEN_ENABLED: 'true' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let signingIn: Promise<void> | undefined;
  const watcher = setInterval(() => {
    if (!o.signInAs || signingIn || !existsSync(home.opened)) return;
    signingIn = (async () => {
      const url = new URL((await readFile(home.opened, 'utf8')).trim().split('\n').pop()!);
      await rm(home.opened);
      const redirect = await driveLabLogin(url, o.signInAs!, o.route);
      assertLoopbackUrl(redirect);
      await (await fetch(redirect)).arrayBuffer();
    })();
    signingIn.catch(() => child.kill());
  }, 100);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearInterval(watcher);
  await signingIn;
  let json: Run['json'];
  try {
    json = JSON.parse(stdout) as Run['json'];
  } catch {
    throw new Error(`the Inspector printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
  }
  return { code, json, stderr };
}

const textOf = (r: unknown) =>
  ((r as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join('');

/** Replaces the stored access token (secrets.json, file store) with one the server refuses. */
async function refuseStoredAccessToken(home: InspectorHome): Promise<void> {
  const path = join(home.env.HOME!, '.mcp-inspector', 'secrets.json');
  const store = JSON.parse(await readFile(path, 'utf8')) as { secrets: Record<string, string> };
  const keys = Object.keys(store.secrets).filter((k) => k.includes(':tokens:'));
  assert.equal(keys.length, 1, `one stored token set expected: ${Object.keys(store.secrets).join(', ')}`);
  const tokens = JSON.parse(store.secrets[keys[0]!]!) as Record<string, unknown>;
  assert.ok(tokens.refresh_token, 'the Inspector stored a refresh token');
  store.secrets[keys[0]!] = JSON.stringify({ ...tokens, access_token: 'refused-by-the-server' });
  await writeFile(path, JSON.stringify(store));
}

async function exercise(lab: LabProcess, labMode: 'lab' | 'entra', route?: LabRoute) {
  const env = labMode === 'entra' ? entraEnv(lab) : {};
  // Entra has no DCR: VS Code's pre-authorised id as the static client, on a loopback path the lab registered.
  const clientArgs = async (): Promise<string[]> => {
    const [port] = await findFreePorts('127.0.0.1', 1);
    return labMode === 'entra'
      ? ['--client-id', VSCODE_CLIENT_ID, '--callback-url', `http://127.0.0.1:${port}/callback`]
      : ['--callback-url', `http://127.0.0.1:${port}/oauth/callback`];
  };
  const a = await inspectorHome(env);
  const b = await inspectorHome(env);
  try {
    const from = lab.logs().length;
    const server = ['--server-url', lab.secure, ...(await clientArgs())];
    const list = await runInspector(a, [...server, '--method', 'tools/list'], { signInAs: alice, route });
    assert.equal(list.code, 0, `${JSON.stringify(list.json)}\n${list.stderr}`);
    const names = (list.json.result as { tools: Array<{ name: string }> }).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['get_secret_from_vault', 'get_user_info', 'whoami']);

    // The stored sign-in serves the next run; its access token refused, it refreshes by itself.
    await refuseStoredAccessToken(a);
    const stored = ['--server-url', lab.secure, '--stored-auth-only'];
    const who = await runInspector(a, [...stored, '--method', 'tools/call', '--tool-name', 'whoami']);
    assert.equal(who.code, 0, `${JSON.stringify(who.json)}\n${who.stderr}`);
    const me = JSON.parse(textOf(who.json.result)) as Record<string, unknown>;
    assert.equal(me.oid, alice.oid);
    assert.equal(me.scp, 'access_as_user');
    const aliceSignIn = behaviourFrom(labRequests(lab.logs(), from), lab.secure);
    assertRecorded(CLIENT, labMode, aliceSignIn);

    // Bob, signed in through the Inspector, is refused alice's record (get_user_info's object-level check).
    const asBob = ['--server-url', lab.secure, ...(await clientArgs())];
    const call = ['--method', 'tools/call', '--tool-name', 'get_user_info', '--tool-arg', 'user_id=user_001'];
    const refused = await runInspector(b, [...asBob, ...call], { signInAs: bob, route });
    assert.equal((refused.json.result as { isError?: boolean })?.isError, true, JSON.stringify(refused.json));
    assert.match(textOf(refused.json.result), /Access denied/);
    recordClientCell({
      client: 'MCP Inspector v2 CLI (@modelcontextprotocol/inspector)',
      clientVersion: inspector.version,
      lab: labMode,
      behaviour: aliceSignIn,
      tools: 'ok — tools/list (3), tools/call whoami after a refresh (--stored-auth-only)',
      bobRefused: textOf(refused.json.result),
      notes:
        labMode === 'entra'
          ? '--client-id (pre-registered) through the lab proxy; Node 22 needs NODE_USE_ENV_PROXY=1'
          : 'default callback port 6276 is fixed (EADDRINUSE on a second sign-in); tests pass --callback-url',
      test: 'test/integration/interop/inspector-cli.test.ts',
    });
  } finally {
    await rm(a.dir, { recursive: true, force: true });
    await rm(b.dir, { recursive: true, force: true });
  }
}

/** A CLI on this machine reaching the Entra-posing lab: Node's env proxy support, the lab proxy and its CA. */
function entraEnv(lab: LabProcess): NodeJS.ProcessEnv {
  return {
    NODE_USE_ENV_PROXY: '1',
    HTTPS_PROXY: lab.entra!.proxyUrl,
    NO_PROXY: '127.0.0.1,localhost',
    NODE_EXTRA_CA_CERTS: lab.entra!.caPath,
  };
}

describe(`${CLIENT} ${inspector.version} CLI (Node 22) → sherpa lab`, () => {
  const suite = labSuite();

  test('signs in headlessly (DCR, its loopback listener, the lab’s page), tools/list, whoami after a refresh; bob refused; as recorded', async () => {
    await exercise(suite.lab, 'lab');
  });
});

describe(`${CLIENT} ${inspector.version} CLI (Node 22) → sherpa lab --entra`, () => {
  const suite = entraLabSuite();

  test('--client-id (VS Code’s pre-authorised id) through the lab proxy: signs in, whoami after a refresh, bob refused; as recorded', async () => {
    await exercise(suite.lab, 'entra', suite.route);
  });
});
