/**
 * The same extension test suite under @vscode/test-electron, for machines that can download VS Code
 * (a developer laptop, a hosted CI). On the offline lab machines use run-code-server.ts instead: the
 * suite's run() contract is identical, only the host differs.
 *
 *   node --import tsx test/vscode/run-electron.ts     (VSCODE_VERSION=1.139.1 by default)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from '../../scripts/tools-manifest';
import { reportCounts } from './harness/results';

function buildOrThrow(script: string): void {
  const r = spawnSync(process.execPath, [script], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`node ${script} failed (exit ${r.status})`);
}

async function main(): Promise<number> {
  buildOrThrow('esbuild.mjs');
  buildOrThrow('scripts/build-tests.mjs');
  const scratch = mkdtempSync(join(tmpdir(), 'sherpa-electron-'));
  try {
    await runTests({
      // engines.vscode is ^1.138: test on the version code-server ships, so both runners agree.
      version: process.env.VSCODE_VERSION ?? '1.139.1',
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: join(REPO_ROOT, 'out', 'test', 'vscode', 'suite', 'index.cjs'),
      extensionTestsEnv: { SHERPA_VSCODE_RESULTS: join(scratch, 'results.json') },
      launchArgs: [
        join(scratch, 'workspace'),
        '--user-data-dir',
        join(scratch, 'user'),
        '--extensions-dir',
        join(scratch, 'extensions'),
        '--disable-workspace-trust',
        '--disable-telemetry',
      ],
    });
    return reportCounts(join(scratch, 'results.json'), 0);
  } catch (err) {
    process.stderr.write(`extension tests failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return reportCounts(join(scratch, 'results.json'), 1);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
