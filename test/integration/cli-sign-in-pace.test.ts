/**
 * `sherpa connect` at a person's pace (issue 20 §1): the person keeps the lab's login page open for 60 s
 * before typing the password — four times the MCP request timeout — and the connect still succeeds. The
 * platform's URL opener is a stand-in person (test/support/person-opener.ts) on PATH. Slow by nature: the
 * one 60-second test of the CLI layer.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { collectRun, spawnCli, startLabProcess, type LabProcess } from '../support/lab';

const PERSON = resolve(import.meta.dirname, '..', 'support', 'person-opener.ts');
const HOLD_MS = 60_000;

let lab: LabProcess;
let dir = '';
let bin = '';

before(async () => {
  lab = await startLabProcess();
  dir = await mkdtemp(join(tmpdir(), 'sherpa-pace-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  for (const name of ['xdg-open', 'open']) await symlink(PERSON, join(bin, name));
});
after(async () => {
  await lab?.stop();
  await rm(dir, { recursive: true, force: true });
});

test(
  'the person holds the login page 60 s before typing: connect succeeds and whoami answers',
  { timeout: 150_000 },
  async () => {
    const record = join(dir, 'person.jsonl');
    const child = spawnCli(['connect', lab.secure, '--call', 'whoami'], {
      NO_COLOR: '1',
      SHERPA_NO_BROWSER: '0',
      SHERPA_OPENER_RECORD: record,
      SHERPA_PERSON_USER: 'alice',
      SHERPA_PERSON_HOLD_MS: String(HOLD_MS),
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    });
    const { code, stdout, stderr } = await collectRun(child);
    assert.equal(code, 0, stdout + stderr);
    const person = JSON.parse((await readFile(record, 'utf8')).trim()) as {
      signedIn: boolean;
      heldMs: number;
    };
    assert.ok(
      person.signedIn && person.heldMs >= HOLD_MS,
      `the person held the page: ${JSON.stringify(person)}`,
    );
    for (const step of ['token', 'initialize', 'tools']) assert.match(stdout, new RegExp(`✔ ${step}\\b`));
    assert.match(stdout, new RegExp(LAB_USERS[0]!.oid), 'whoami answered for alice');
  },
);

test('Ctrl-C while the person is on the sign-in page cancels: LOGIN_ABORTED, not a timeout', async () => {
  // No opener: the URL is printed and nobody signs in.
  const child = spawnCli(['connect', lab.secure], { NO_COLOR: '1', SHERPA_NO_BROWSER: '1' });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const waiting = new Promise<void>((resolve) =>
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/waiting for the redirect/.test(stderr)) resolve();
    }),
  );
  child.stdin!.end();
  await waiting;
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 1, stdout + stderr);
  assert.match(stderr, /was cancelled \[LOGIN_ABORTED\]/);
  assert.doesNotMatch(stdout + stderr, /timed out|MCP_TIMEOUT/);
});
