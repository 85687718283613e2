/**
 * The CLI as a package (issue 20 §3): `npm run pack:cli` (scripts/pack-cli.mjs) → installed into an empty folder with no devDependencies →
 * `npx sherpa …` works, `--version` exists, `--help` loads no authorization server (so oidc-provider's
 * "unsupported runtime" line cannot appear on an older Node), and `sherpa audit` runs against the real lab.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { LAB_STATIC_TOKEN } from '../../src/servers/shared/lab-defaults';
import { REPO_ROOT, startLabProcess, type LabProcess } from '../support/lab';

const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is a result, not an exception. */
async function sh(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Result> {
  try {
    const r = await run(file, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A `node` on PATH other than the project's own (node_modules/.bin): the machine's, if it has one. */
function machineNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

describe('sherpa as an npm package', () => {
  let dir: string;
  let bin: string;
  let lab: LabProcess;

  before(async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'sherpa.mjs')), 'the build stage ran (dist/sherpa.mjs)');
    dir = await mkdtemp(join(tmpdir(), 'sherpa-pack-'));
    const packed = await sh(process.execPath, [join('scripts', 'pack-cli.mjs'), dir], REPO_ROOT);
    assert.equal(packed.code, 0, packed.stderr);
    const [{ filename, files }] = JSON.parse(packed.stdout) as [
      { filename: string; files: { path: string }[] },
    ];
    // The package is the bundle, its manifest and the azd project `sherpa azure init` writes: no sources,
    // no source maps, no extension.
    assert.deepEqual(files.map((f) => f.path).sort(), [
      'LICENSE',
      'README.md',
      'azure.yaml',
      'dist/sherpa.mjs',
      'dist/sherpa.mjs.LEGAL.txt',
      'infra/bicepconfig.json',
      'infra/main.bicep',
      'infra/main.parameters.json',
      'infra/modules/container-app.bicep',
      'infra/modules/container-apps-environment.bicep',
      'infra/modules/identities.bicep',
      'infra/modules/key-vault.bicep',
      'infra/modules/monitoring.bicep',
      'infra/modules/registry.bicep',
      'infra/prebuilt.Dockerfile',
      'package.json',
    ]);
    const app = join(dir, 'app');
    await sh('mkdir', ['-p', app], dir);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'empty', private: true }));
    const installed = await sh('npm', ['install', join(dir, filename), '--no-audit', '--no-fund'], app);
    assert.equal(installed.code, 0, installed.stderr);
    // Nothing but Sherpa itself: every dependency is inside the bundle, and none of the repository's
    // development packages (its Node per platform, as optionalDependencies) comes along.
    assert.deepEqual(
      (await readdir(join(app, 'node_modules'))).filter((n) => !n.startsWith('.')),
      ['sherpa-mcp-identity'],
    );
    bin = join(app, 'node_modules', '.bin', 'sherpa');
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('npx sherpa --version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const r = await sh('npx', ['--no-install', 'sherpa', '--version'], join(dir, 'app'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split(' ')[0], 'sherpa');
    assert.equal(r.stdout.split(' ')[1], version);
  });

  test('--help lists every command and loads no authorization server, on every Node at hand', async () => {
    const nodes = [process.execPath, machineNode()].filter((n): n is string => !!n);
    for (const node of nodes) {
      const r = await sh(node, [bin, '--help'], join(dir, 'app'));
      assert.equal(r.code, 0, `${node}: ${r.stderr}`);
      for (const command of ['lab', 'story', 'connect', 'audit', 'keys', 'azure', '--version'])
        assert.match(r.stdout, new RegExp(`sherpa ${command}\\b`), `${node}: usage names ${command}`);
      assert.doesNotMatch(
        r.stderr,
        /oidc-provider/,
        `${node}: the lab's authorization server was not loaded`,
      );
    }
  });

  test('the installed sherpa audits the lab: the vulnerable server fails on its static token', async () => {
    const r = await sh(bin, ['audit', lab.vulnerable, '--token-command', `echo ${LAB_STATIC_TOKEN}`], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /FAIL must\s+static\.shared-token/);
    const secure = await sh(bin, ['audit', lab.secure, '--format', 'json'], dir);
    assert.equal(secure.code, 0, secure.stderr);
    const report = JSON.parse(secure.stdout) as { findings: { id: string; status: string }[] };
    assert.equal(report.findings.find((f) => f.id === 'prm.found')?.status, 'pass');
  });

  test('the installed sherpa writes the deployment project (azure init): no clone needed', async () => {
    const project = join(dir, 'deploy');
    const r = await sh(bin, ['azure', 'init', project], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(project, 'infra', 'main.bicep')));
    assert.equal(
      await readFile(join(project, 'sherpa.mjs'), 'utf8'),
      await readFile(join(REPO_ROOT, 'dist', 'sherpa.mjs'), 'utf8'),
      'the image runs the bundle this package carries',
    );
    const again = await sh(bin, ['azure', 'init', project], dir);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is not empty \[BAD_ARGUMENT\]/);
  });
});
