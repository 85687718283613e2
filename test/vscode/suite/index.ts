/**
 * Entry point of the extension tests inside a real extension host: the same `run()` contract for
 * @vscode/test-electron (`extensionTestsPath`) and for test/vscode/run-code-server.ts. The test files are
 * imported after mocha has installed its TDD globals, so the suite also works when bundled into one file.
 */
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // SHERPA_VSCODE_GREP: run only the suites/tests whose title matches (while working on one area).
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
  await import('./audit.test');
  await import('./azure.test');
  await import('./azure-commands.test');
  await import('./azure-provision.test');
  await import('./error-paths.test');
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) =>
      failures ? reject(new Error(`${failures} extension test(s) failed`)) : resolve(),
    );
  });
}
