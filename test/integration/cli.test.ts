/** The `sherpa` CLI as a person runs it, against a real lab process (test/support/lab.ts). */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { LAB_API_CLIENT_ID, LAB_USERS } from '../../src/servers/shared/lab-defaults';
import {
  runCli as runCliToEnd,
  spawnCli,
  startLabProcess,
  type CliRun,
  type LabProcess,
} from '../support/lab';
import { approveDeviceCode } from '../support/drive-login';
import { AZURE_CLIENT_ID } from '../../src/core/well-known-ids';

let lab: LabProcess;
let labJson = '';

before(async () => {
  lab = await startLabProcess();
  labJson = join(lab.dataDir, 'lab.json');
  const { process: _p, logs: _l, stop: _s, ...info } = lab;
  await writeFile(labJson, JSON.stringify(info));
});
after(() => lab?.stop());

function runCli(args: string[], input?: string): Promise<CliRun> {
  return runCliToEnd(args, { input });
}

test('token --user alice: a real PKCE sign-in whose token carries the lab claims', async () => {
  const r = await runCli(['token', '--user', 'alice', '--issuer', lab.issuer]);
  assert.equal(r.code, 0, r.stderr);
  const claims = decodeJwt(r.stdout.trim());
  assert.equal(claims.aud, LAB_API_CLIENT_ID);
  assert.equal(claims.iss, lab.issuer);
  assert.equal(claims.oid, LAB_USERS[0]!.oid);
  assert.equal(claims.scp, 'access_as_user');
  assert.ok((claims.exp as number) > Date.now() / 1000);
});

test('token --user refuses a non-loopback issuer before sending anything', async () => {
  // 0.0.0.0 is not a loopback name, yet a connection to it lands on this machine: a listener on
  // 127.0.0.1 sees any request the CLI sends there, so "nothing sent" is counted, not assumed.
  let connections = 0;
  const listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const { port } = listener.address() as AddressInfo;
  try {
    const r = await runCli(['token', '--user', 'alice', '--issuer', `https://0.0.0.0:${port}/`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NOT_LOOPBACK/, r.stderr);
    assert.match(r.stderr, /→/); // a hint on what to do
    assert.equal(connections, 0, 'the CLI connected to the issuer before refusing');
  } finally {
    listener.close();
  }
});

test('connect: every step ✔ and the claims shown, never the token', async () => {
  const r = await runCli(['connect', lab.secure, '--user', 'bob', '--call', 'whoami']);
  assert.equal(r.code, 0, r.stderr);
  for (const step of ['probe', 'prm', 'as-metadata', 'token', 'initialize', 'tools']) {
    assert.match(r.stdout, new RegExp(`✔ ${step}\\b`));
  }
  assert.doesNotMatch(r.stdout, /✘/);
  assert.match(r.stdout, new RegExp(LAB_USERS[1]!.oid));
  assert.doesNotMatch(r.stdout + r.stderr, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
});

test('connect --device-code: the engine with the RFC 8628 grant, approved on the lab device page', async () => {
  const child = spawnCli(['connect', lab.secure, '--device-code', '--client-id', AZURE_CLIENT_ID], {
    NO_COLOR: '1',
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const url = new Promise<string>((resolve) =>
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /open (\S+) and enter the code/.exec(stderr);
      if (m) resolve(m[1]!);
    }),
  );
  child.stdin!.end();
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const page = await approveDeviceCode(await url, { username: 'bob', password: LAB_USERS[1]!.password });
  assert.match(page, /signed in/i);
  assert.equal(await exit, 0, stderr);
  for (const step of ['probe', 'prm', 'as-metadata', 'registration', 'token', 'initialize', 'tools']) {
    assert.match(stdout, new RegExp(`✔ ${step}\\b`));
  }
  assert.match(stdout, /Authorized party \(client\) \(azp\)\s+04b07795/);
  assert.match(stdout, new RegExp(LAB_USERS[1]!.oid));
});

test('connect to the vulnerable server fails at PRM discovery with a hint', async () => {
  const r = await runCli(['connect', lab.vulnerable, '--user', 'bob']);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout, /✔ probe/);
  assert.match(r.stdout, /✘ prm/);
  assert.match(r.stderr, /PRM_NOT_FOUND/);
});

test('decode - reads stdin and checks against the lab', async () => {
  const t = await runCli(['token', '--user', 'alice', '--issuer', lab.issuer]);
  const r = await runCli(
    ['decode', '-', '--audience', LAB_API_CLIENT_ID, '--issuer', lab.issuer, '--scope', 'access_as_user'],
    t.stdout,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Audience \(aud\)\s+c0a8f3e2/);
  assert.match(r.stdout, /✔ Audience/);
  assert.match(r.stdout, /✔ Expiry\s+expires in (59|60) min/);
  const bad = await runCli(['decode', 'not-a-jwt']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /TOKEN_INVALID/);
});

test('exploit: all six demonstrations as expected', async () => {
  const r = await runCli(['exploit', '--lab-json', labJson]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((r.stdout.match(/^PASS /gm) ?? []).length, 6);
  assert.match(r.stdout, /2\.4 .*401 invalid_token/);
  assert.match(r.stdout, /6\/6 outcomes as expected/);
});

test('lab on a port that is already taken: exits non-zero naming the port and what to do', async () => {
  const busyPort = new URL(lab.secure).port;
  const r = await runCli(
    ['lab', '--json', '--data-dir', join(lab.dataDir, 'second'), '--as-port', '0'].concat([
      '--vulnerable-port',
      '0',
      '--secure-port',
      busyPort,
    ]),
  );
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    new RegExp(`Port ${busyPort} on 127\\.0\\.0\\.1 is already in use \\[PORT_IN_USE\\]`),
  );
  assert.match(r.stderr, /--ephemeral-ports|0 = any free port/);
  assert.equal(r.stdout, '', 'no lab JSON line when it did not start');
});

test('serve secure without its settings: exits 1 naming the first missing variable [SETTING_MISSING]', async () => {
  const r = await runCli(['serve', 'secure']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /SHERPA_ISSUER is not set: .* \[SETTING_MISSING\]/);
  assert.match(r.stderr, /→ Set SHERPA_ISSUER in the server's environment/);
});

test('serve vulnerable on a port that is taken: exits 1 naming host:port [PORT_IN_USE]', async () => {
  const busyPort = new URL(lab.vulnerable).port;
  const child = spawnCli(['serve', 'vulnerable'], { REQUIRED_TOKEN: 't', PORT: busyPort, NO_COLOR: '1' });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`Port ${busyPort} on 127\\.0\\.0\\.1 is already in use \\[PORT_IN_USE\\]`));
});
