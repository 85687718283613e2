/**
 * `sherpa audit --targets` against the real lab: a folder of .vscode/mcp.json files (the secure and the
 * vulnerable server, a stdio server, a dead one) → one report in every format, each token sent only to its
 * own server, and an evidence bundle in which no token of the run appears.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EvidenceIndex } from '../../../src/core/audit/evidence-bundle';
import type { RecordedExchange } from '../../../src/core/audit/evidence';
import { LAB_STATIC_TOKEN } from '../../../src/servers/shared/lab-defaults';
import { runCli, startLabProcess, type LabProcess } from '../../support/lab';
import { signInToLab } from '../../support/lab-tokens';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

describe('sherpa audit --targets (CLI)', () => {
  let lab: LabProcess;
  let dir: string;
  let token: string;
  before(async () => {
    lab = await startLabProcess();
    dir = await mkdtemp(join(tmpdir(), 'sherpa-audit-targets-'));
    token = (await signInToLab(lab, { user: 'alice' })).accessToken;
    await writeFile(join(dir, 'alice.token'), token, { mode: 0o600 });
    await writeFile(join(dir, 'static.token'), LAB_STATIC_TOKEN, { mode: 0o600 });
    const repo = join(dir, 'repo');
    await mkdir(join(repo, 'api', '.vscode'), { recursive: true });
    await mkdir(join(repo, 'tools', '.vscode'), { recursive: true });
    await writeFile(
      join(repo, 'api', '.vscode', 'mcp.json'),
      JSON.stringify({
        servers: {
          secure: { type: 'http', url: lab.secure },
          dead: { type: 'http', url: 'http://127.0.0.1:9/mcp' },
        },
      }),
    );
    await writeFile(
      join(repo, 'tools', '.vscode', 'mcp.json'),
      JSON.stringify({
        servers: {
          vulnerable: { type: 'http', url: lab.vulnerable },
          local: { type: 'stdio', command: 'node' },
        },
      }),
    );
  });
  after(async () => {
    await lab?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('one combined report in every format, exit 2 for the dead server, an evidence bundle with no token in it', async () => {
    const out = (f: string) => join(dir, `report.${f}`);
    const evidence = join(dir, 'evidence');
    const r = await runCli([
      'audit',
      '--targets',
      join(dir, 'repo'),
      '--concurrency',
      '2',
      '--token-command-for',
      `${lab.secure}=cat ${join(dir, 'alice.token')}`,
      '--token-command-for',
      `${lab.vulnerable}=cat ${join(dir, 'static.token')}`,
      '--format',
      'json',
      '--out',
      out('json'),
      ...['sarif', 'junit', 'markdown', 'text'].flatMap((f) => ['--report', `${f}=${out(f)}`]),
      '--evidence-dir',
      evidence,
    ]);
    assert.equal(r.code, 2, `the dead server could not be audited\n${r.stderr}`);
    assert.match(
      r.stderr,
      /could not audit http:\/\/127\.0\.0\.1:9\/mcp: Nothing is accepting connections at 127\.0\.0\.1:9\./,
    );

    const json = JSON.parse(await readFile(out('json'), 'utf8')) as {
      targets: {
        name: string;
        source: string;
        status: string;
        report?: { findings: { id: string; status: string }[] };
      }[];
    };
    assert.deepEqual(
      json.targets.map((t) => [t.source, t.name, t.status]),
      [
        ['api/.vscode/mcp.json', 'secure', 'audited'],
        ['api/.vscode/mcp.json', 'dead', 'error'],
        ['tools/.vscode/mcp.json', 'vulnerable', 'audited'],
        ['tools/.vscode/mcp.json', 'local', 'skipped'],
      ],
    );
    const status = (name: string, id: string) =>
      json.targets.find((t) => t.name === name)!.report!.findings.find((f) => f.id === id)?.status;
    // Each server got its own token and only its own: the secure server's token checks ran and passed,
    // the vulnerable server's static token was recognised as one.
    assert.equal(status('secure', 'token.baseline'), 'pass');
    assert.equal(status('secure', 'token.alg-none'), 'pass');
    assert.equal(status('vulnerable', 'static.shared-token'), 'fail');

    const sarif = JSON.parse(await readFile(out('sarif'), 'utf8')) as {
      runs: { artifacts: { location: { uri: string } }[] }[];
    };
    assert.equal(sarif.runs.length, 1);
    assert.deepEqual(
      sarif.runs[0]!.artifacts.map((a) => a.location.uri),
      ['api/.vscode/mcp.json', 'tools/.vscode/mcp.json'],
    );
    const junit = await readFile(out('junit'), 'utf8');
    assert.equal((junit.match(/<testsuite /g) ?? []).length, 4);
    assert.match(await readFile(out('markdown'), 'utf8'), /^# Sherpa audit: 4 servers/);
    assert.match(await readFile(out('text'), 'utf8'), /2 audited, 1 could not be audited, 1 skipped/);

    // The evidence: every file, every byte, free of the run's tokens (and of any JWT at all).
    const [, payload, signature] = token.split('.');
    const files = await filesUnder(evidence);
    assert.ok(files.length > 20, `${files.length} files`);
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      for (const [what, secret] of [
        ['the access token', token],
        ['its payload', payload!],
        ['its signature', signature!],
        ['the static token', LAB_STATIC_TOKEN],
      ] as const)
        assert.equal(text.includes(secret), false, `${what} in ${f}`);
      assert.equal(/eyJ[A-Za-z0-9_-]{8,}/.test(text), false, `a JWT in ${f}`);
    }
    for (const f of [out('json'), out('sarif'), out('junit'), out('markdown'), out('text')])
      assert.equal((await readFile(f, 'utf8')).includes(token), false, f);

    // …and a finding can be reproduced: the index names the exchanges behind it, their files exist.
    const index = JSON.parse(await readFile(join(evidence, 'index.json'), 'utf8')) as EvidenceIndex;
    const secure = index.targets.find((t) => t.name === 'secure')!;
    const algNone = secure.findings!.find((f) => f.finding === 'token.alg-none')!;
    assert.ok(algNone.exchanges.length > 0);
    const x = JSON.parse(
      await readFile(join(evidence, secure.folder!, `${algNone.exchanges[0]}.json`), 'utf8'),
    ) as RecordedExchange;
    assert.equal(x.request.headers.authorization, 'Bearer <redacted>');
    assert.equal(x.response?.status, 401);
    assert.match(x.response?.headers['www-authenticate'] ?? '', /invalid_token/);
    assert.match(x.curl, /^curl -i -X POST /);
    assert.ok(
      secure.exchanges!.some((e) => e.request.includes('/.well-known/oauth-protected-resource')),
      'the guarded fetch was recorded',
    );
    assert.equal(index.targets.find((t) => t.name === 'dead')!.status, 'error');
    assert.equal(index.targets.find((t) => t.name === 'local')!.status, 'skipped');
  });

  test('per-server tokens only: a server-wide --token-command with --targets is refused', async () => {
    const r = await runCli(['audit', '--targets', join(dir, 'repo'), '--token-command', 'echo x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--token-command-for URL=CMD/);
  });
});
