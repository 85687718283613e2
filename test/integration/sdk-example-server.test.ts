/**
 * `sherpa connect` against a server nobody here wrote (issue 17 §1): the MCP TypeScript SDK's own example
 * server with its demo OAuth server (`simpleStreamableHttp.js --oauth`, from node_modules, on loopback
 * ports through MCP_PORT / MCP_AUTH_PORT). Its authorization server knows no pre-registered client and
 * offers RFC 7591 registration; its authorize endpoint approves at once (no login page) and compares
 * redirect URIs exactly. The platform's URL opener is the hostile corpus's stand-in, a browser that
 * follows the redirect back to the CLI.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { findFreePorts } from '../../src/lab/free-port';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { collectRun, REPO_ROOT, spawnCli } from '../support/lab';

const EXAMPLE = join(
  REPO_ROOT,
  'node_modules/@modelcontextprotocol/sdk/dist/esm/examples/server/simpleStreamableHttp.js',
);
const OPENER = resolve(import.meta.dirname, '..', 'support', 'hostile', 'stand-in-opener.mjs');

let server: ChildProcess;
let mcpUrl = '';
let dir = '';
let bin = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sherpa-sdk-example-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  for (const name of ['xdg-open', 'open']) await symlink(OPENER, join(bin, name));
  const [mcpPort, authPort] = await findFreePorts('127.0.0.1', 2);
  // The example names its URLs with `localhost`, as its documentation does.
  mcpUrl = `http://localhost:${mcpPort}/mcp`;
  server = spawn(process.execPath, [EXAMPLE, '--oauth'], {
    env: { ...process.env, MCP_PORT: String(mcpPort), MCP_AUTH_PORT: String(authPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`the SDK example did not start:\n${out}`)), 20_000);
    server.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (/MCP Streamable HTTP Server listening/.test(out) && /Authorization Server listening/.test(out)) {
        clearTimeout(timer);
        ready();
      }
    });
    server.once('exit', (code) => fail(new Error(`the SDK example exited (${code}):\n${out}`)));
  });
});

after(async () => {
  server?.kill();
  await rm(dir, { recursive: true, force: true });
});

let runs = 0;
async function connect(
  extra: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; opened: number }> {
  const record = join(dir, `opener-${++runs}.jsonl`);
  const child = spawnCli(['connect', mcpUrl, ...extra], {
    NO_COLOR: '1',
    SHERPA_NO_BROWSER: '0',
    SHERPA_OPENER_RECORD: record,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
  });
  const { code, stdout, stderr } = await collectRun(child);
  const opened = existsSync(record) ? (await readFile(record, 'utf8')).split('\n').filter(Boolean).length : 0;
  return { code, stdout, stderr, opened };
}

test('sherpa connect registers by RFC 7591, signs in, lists the tools and calls one', async () => {
  const r = await connect(['--call', 'list-files']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✔ registration dynamic registration \(RFC 7591\)/);
  assert.doesNotMatch(r.stdout, new RegExp(VSCODE_CLIENT_ID), "VS Code's client id is not offered here");
  assert.match(r.stdout, /✔ token +opaque access token \(scope mcp:tools\)/);
  assert.match(r.stdout, /✔ tools +\d+ tools: .*\blist-files\b/);
  assert.match(r.stdout, /file:\/\/\/example\/file1\.txt/, 'the tool answered');
  assert.equal(r.opened, 1, 'one sign-in');
});

test('a client id this server never registered ends at the authorization request, before any browser', async () => {
  const r = await connect(['--client-id', VSCODE_CLIENT_ID]);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /✘ token +The authorization server at localhost:\d+ refused the sign-in request \(HTTP 400: invalid_client/,
  );
  assert.match(r.stderr, /\[AUTHORIZATION_DENIED\]/);
  assert.doesNotMatch(r.stdout + r.stderr, /initialize|timed out/i, 'not blamed on initialize');
  assert.equal(r.opened, 0, 'no browser page that can only fail');
});
