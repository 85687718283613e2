/**
 * Runs the extension test suite (test/vscode/suite, mocha inside the extension host) in a REAL VS Code:
 * code-server 4.139.1 + headless Chromium. The workbench URL's `payload` carries
 * extensionDevelopmentPath (the repo) and extensionTestsPath (the bundled suite) — the same contract
 * @vscode/test-electron uses (see run-electron.ts). The suite's run() result comes back through
 * `window.codeAutomationExit(code)`; the page console (mocha's spec report) is forwarded to stdout for
 * people to read. The counts come back as a file the suite writes (SHERPA_VSCODE_RESULTS, see
 * suite/index.ts) and are printed last as `N passed, N failed, N skipped` for scripts/test.mjs; no
 * file means the suite never finished, which is a failure whatever the exit code.
 *
 *   node --import tsx test/vscode/run-code-server.ts        (builds dist/ and the suite first)
 *   SHERPA_VSCODE_TIMEOUT_S=600 to change the overall limit (default 300 s).
 *
 * A server nobody here wrote (issue 17 §3: the TypeScript SDK v2 server, test/interop/sdk-server-v2) is
 * started here, trusting a lab of its own, before code-server: its launcher finds the server file and the
 * cached packages through `import.meta.dirname`, which the suite's CommonJS bundle does not have. Its URL
 * reaches the suite the way every setting of the runner does, through code-server's environment
 * (SHERPA_VSCODE_OUTSIDER, read by suite/outsider-servers.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import type { ConsoleMessage } from 'playwright-core';
import { ensureTools, REPO_ROOT } from '../../scripts/tools-manifest';
import { launchBrowser } from './harness/browser';
import { reportCounts } from './harness/results';
import { startCodeServer } from './harness/code-server';
import { startLabProcess } from '../support/lab';
import { NODE_INTEROP_SERVERS, startNodeInteropServer } from '../support/interop/node-servers';
import { OUTSIDER_ENV, type OutsiderServerInfo } from './suite/outsider-info';

const SUITE_BUNDLE = join(REPO_ROOT, 'out', 'test', 'vscode', 'suite', 'index.cjs');

function buildOrThrow(script: string): void {
  const r = spawnSync(process.execPath, [script], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`node ${script} failed (exit ${r.status})`);
}

/** Workbench chatter that says nothing about the extension under test (offline gallery, sockets…). */
const NOISE = [
  /^Failed to load resource/,
  /open-vsx\.org|ENOTFOUND/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket/,
  /^\[(Service Worker|AgentHost|AccountPolicyGate|reconnection-grace-time)/,
  /^Updating additional builtin extensions cache/,
];

/**
 * Formats a console message as the extension host printed it. The workbench forwards extension-host
 * output as `console.log('%c INFO', 'color: …', format, ...args)`: drop the two style arguments, then
 * apply printf-style formatting to the rest (mocha's spec reporter logs `'%d passing (%s)', n, t`).
 */
async function formatConsole(msg: ConsoleMessage): Promise<string> {
  const values = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => '[unserialisable]')));
  const styled = typeof values[0] === 'string' && values[0].startsWith('%c');
  const rest = styled ? values.slice(2) : values;
  return styled && rest.length === 0 ? String(values[0]).slice(2).trim() : format(...rest);
}

async function main(): Promise<number> {
  const tools = ensureTools(['code-server', 'chromium']);
  // The extension as it ships (dist/extension/ + dist/sherpa.mjs) and the suite bundle.
  buildOrThrow('esbuild.mjs');
  buildOrThrow('scripts/build-tests.mjs');

  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), 'sherpa-vscode-results-'));
  const resultsFile = join(scratch, 'results.json');
  // The outsider's own lab and server (stopped in `finally`, whatever happens to code-server).
  const outsiderLab = await startLabProcess();
  const outsider = await startNodeInteropServer('sdk-server-v2', outsiderLab).catch(async (err: unknown) => {
    await outsiderLab.stop();
    throw err;
  });
  const outsiderInfo: OutsiderServerInfo = {
    label: NODE_INTEROP_SERVERS['sdk-server-v2'].label,
    packageVersion: outsider.packageVersion,
    mcpUrl: outsider.mcpUrl,
    issuer: outsiderLab.issuer,
  };
  const stopOutsider = async () => {
    await outsider.stop();
    await outsiderLab.stop();
  };
  let server: Awaited<ReturnType<typeof startCodeServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  try {
    server = await startCodeServer(tools, {
      env: { SHERPA_VSCODE_RESULTS: resultsFile, [OUTSIDER_ENV]: JSON.stringify(outsiderInfo) },
    });
    browser = await launchBrowser(tools).catch(async (err: unknown) => {
      await server.stop();
      throw err;
    });
  } catch (err) {
    await stopOutsider();
    throw err;
  }
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const exit = new Promise<number>((resolveExit) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));
    });
    // Console events are formatted asynchronously: chain them so the report keeps its order.
    let printed = Promise.resolve();
    page.on('console', (msg) => {
      if (msg.type() === 'warning' || msg.type() === 'debug') return;
      printed = printed.then(async () => {
        const text = await formatConsole(msg);
        if (process.env.SHERPA_VSCODE_DEBUG)
          process.stderr.write(`[console.${msg.type()}] ${JSON.stringify(text)}\n`);
        if (!NOISE.some((n) => n.test(text.trim()))) process.stdout.write(`${text}\n`);
      });
    });
    page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
    const url = server.workbenchUrl([
      ['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)],
      ['extensionTestsPath', server.remoteUri(SUITE_BUNDLE)],
    ]);
    await page.goto(url);
    const limitMs = Number(process.env.SHERPA_VSCODE_TIMEOUT_S ?? 300) * 1000;
    const timeout = new Promise<number>((r) => setTimeout(() => r(-1), limitMs).unref());
    const code = await Promise.race([exit, timeout]);
    await printed;
    const took = ((Date.now() - started) / 1000).toFixed(1);
    if (code === -1) {
      process.stderr.write(
        `extension tests did not finish within ${limitMs / 1000} s\n${server.logs().slice(-3000)}\n`,
      );
      await page
        .screenshot({ path: join(REPO_ROOT, 'test-results', 'vscode-timeout.png') })
        .catch(() => undefined);
      return 1;
    }
    process.stdout.write(`extension tests in code-server exited ${code} after ${took} s\n`);
    return reportCounts(resultsFile, code);
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    await stopOutsider();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `run-code-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(2);
  },
);
