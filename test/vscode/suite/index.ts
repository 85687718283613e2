/**
 * Entry point of the extension tests inside a real extension host: the same `run()` contract for
 * @vscode/test-electron (`extensionTestsPath`) and for test/vscode/run-code-server.ts. The test files are
 * imported after mocha has installed its TDD globals, so the suite also works when bundled into one file.
 */
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

/**
 * Where the runner wants the counts (set by run-code-server.ts / run-electron.ts). The extension host is
 * a Node process on the same machine, so a file is a channel that does not depend on how the host relays
 * console output (code-server relays it through Chromium's console).
 */
const RESULTS_FILE = process.env.SHERPA_VSCODE_RESULTS;

export async function run(): Promise<void> {
  // SHERPA_VSCODE_GREP (code-server passes its environment on) runs only the matching tests.
  const grep = process.env.SHERPA_VSCODE_GREP;
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: 60_000,
    reporter: 'spec',
    ...(grep ? { grep } : {}),
  });
  mocha.suite.emit('pre-require', globalThis, 'sherpa-suite', mocha);
  // Order matters: activation first, then the lab-backed suites, error paths last.
  await import('./activation.test');
  await import('./mcp-provider.test');
  await import('./lab-sign-in.test');
  await import('./hostile-servers.test');
  await import('./outsider-servers.test');
  await import('./audit.test');
  await import('./audit-compat.test');
  await import('./azure.test');
  await import('./azure-commands.test');
  await import('./azure-provision.test');
  await import('./error-paths.test');
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0, failures: failed = 0, pending = 0 } = runner.stats ?? {};
      if (RESULTS_FILE) writeFileSync(RESULTS_FILE, JSON.stringify({ passed: passes, failed, pending }));
      if (failures) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
  });
}
