/** `sherpa story` (npm start) end to end: starts its own lab in-process, exit 0 iff every outcome PASSes. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnCli } from '../support/lab';

test('story: vulnerable → exploit → fix → validate, all PASS, exit 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sherpa-story-'));
  try {
    const child = spawnCli(['story', '--ephemeral-ports', '--data-dir', dir], { NO_COLOR: '1' });
    child.stdin!.end();
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0, stdout);
    assert.doesNotMatch(stdout, /^FAIL/m);
    const passes = (stdout.match(/^PASS /gm) ?? []).length;
    assert.ok(passes >= 12, `only ${passes} PASS lines`);
    assert.match(stdout, /(\d+)\/\1 outcomes as expected/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
