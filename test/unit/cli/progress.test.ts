/* eslint-disable no-control-regex -- these tests look for terminal control sequences on purpose */
/**
 * The CLI's progress line: drawn on stderr only for a person at a terminal, never with a machine format,
 * never on a pipe — so `--format json` stays pure JSON and a captured stderr has no control sequences.
 * The last test runs the real CLI under a pseudo-terminal (util-linux script(1)) where one is installed.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { progressAllowed, startProgress, withProgress } from '../../../src/cli/progress';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'sherpa.ts');
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, columns: 60, write: (s: string) => (written.push(s), true) } };
}

describe('progress line', () => {
  it('at a terminal: draws in place, shows what the caller says (made printable), erases itself', () => {
    const { written, stream } = fakeStream(true);
    const line = startProgress('auditing mcp.example.com', { stream, env: {}, intervalMs: 60_000 });
    assert.equal(line.active, true);
    line.update('unauth.initialize: pass\u001b]0;owned\u0007');
    line.stop();
    line.stop(); // once
    assert.ok(written.length >= 3);
    assert.ok(written.slice(0, -1).every((w) => w.startsWith('\r\u001b[2K')));
    assert.match(written[1]!, /auditing mcp\.example\.com — unauth\.initialize: pass/);
    assert.doesNotMatch(written[1]!, /\u0007|\u001b\]/, 'a server cannot set the window title');
    assert.ok(
      written.every((w) => [...w.replace('\r\u001b[2K', '')].length <= 59),
      'one line',
    );
    assert.equal(written.at(-1), '\r\u001b[2K');
    line.update('after stop');
    assert.equal(written.at(-1), '\r\u001b[2K', 'nothing drawn after stop');
  });

  it('not a terminal, a machine format, CI or SHERPA_NO_PROGRESS: not one byte', async () => {
    for (const [isTTY, o] of [
      [false, {}],
      [true, { machine: true }],
      [true, { env: { CI: 'true' } }],
      [true, { env: { SHERPA_NO_PROGRESS: '1' } }],
      [true, { env: { TERM: 'dumb' } }],
    ] as const) {
      const { written, stream } = fakeStream(isTTY);
      const opts = { env: {}, ...o, stream };
      assert.equal(progressAllowed(opts), false, JSON.stringify(o));
      assert.equal(await withProgress('x', opts, async (l) => (l.update('y'), l.active)), false);
      assert.deepEqual(written, []);
    }
  });

  it('erases its line when the work fails too', async () => {
    const { written, stream } = fakeStream(true);
    await assert.rejects(
      withProgress('x', { stream, env: {}, intervalMs: 60_000 }, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(written.at(-1), '\r\u001b[2K');
  });

  describe('the real CLI (sherpa audit against a loopback server)', () => {
    let server: http.Server;
    let url: string;
    before(async () => {
      server = http.createServer((_req, res) => {
        res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'application/json' });
        res.end('{}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    });
    after(() => new Promise((r) => server.close(r)));

    const sherpa = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], {
        cwd: ROOT,
        env: { ...process.env, CI: '', SHERPA_NO_PROGRESS: '' },
      }).catch((e: { stdout: string; stderr: string; code: number }) => e);

    it('--format json: stdout is one JSON document; stderr (a pipe) has no control sequences', async () => {
      const r = await sherpa(['audit', url, '--format', 'json']);
      const report = JSON.parse(r.stdout) as { target: string; findings: unknown[] };
      assert.equal(report.target, url);
      assert.ok(report.findings.length > 5);
      assert.doesNotMatch(r.stderr, CONTROL);
      const text = await sherpa(['audit', url]);
      assert.match(text.stdout, /unauth\.initialize/);
      assert.doesNotMatch(text.stderr, CONTROL, 'text format on a pipe: no progress line either');
    });

    const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
    it(
      'under a pseudo-terminal: a progress line for text, none for --format json',
      { skip: hasScript ? false : 'util-linux script(1) is not installed' },
      async () => {
        // Asynchronously: the server answering the audit runs in this process.
        const inPty = async (args: string[]) => {
          const command = [process.execPath, '--import', 'tsx', CLI, ...args]
            .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
            .join(' ');
          const r = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
            cwd: ROOT,
            env: { ...process.env, CI: '', SHERPA_NO_PROGRESS: '', TERM: 'xterm' },
          }).catch((e: { stdout: string }) => e);
          return r.stdout;
        };
        const text = await inPty(['audit', url]);
        assert.match(text, /\r\u001b\[2K. auditing http:\/\/127\.0\.0\.1:\d+\/mcp/);
        const json = await inPty(['audit', url, '--format', 'json']);
        assert.doesNotMatch(json, /\u001b\[2K/);
        assert.equal((JSON.parse(json.trim()) as { target: string }).target, url);
      },
    );
  });
});
