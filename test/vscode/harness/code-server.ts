/**
 * A real VS Code for tests: code-server 4.139.1 (VS Code 1.139.1) from the npm registry, run under the
 * Node 24 that scripts/ensure-tools.mjs installs, with a fresh user-data folder, extensions folder and
 * HOME/XDG folders in a temp directory (code-server and Chromium write into the home folder otherwise).
 * See /work/shared/notes/real-vscode-offline.md for why this, and not a VS Code download, on this machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findFreePort } from '../../../src/lab/free-port';
import { requireTool, type ToolsManifest } from '../../../scripts/tools-manifest';

/** Settings for a quiet workbench: no AI panel, no welcome page, nothing phoning home. */
const QUIET_SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
};

export interface CodeServer {
  origin: string;
  /** An empty workspace folder opened by workbenchUrl(). */
  workspace: string;
  /** Temp root holding user data, extensions, HOME; removed by stop(). */
  root: string;
  /** Environment the server runs with (Node 24 first on PATH, HOME in the temp root). */
  env: NodeJS.ProcessEnv;
  /** The workbench URL; `payload` is the smoke-test driver's list of [key, value] pairs. */
  workbenchUrl(payload?: Array<[string, string]>): string;
  /** `vscode-remote://` URI of a local path, as the workbench payload needs it. */
  remoteUri(path: string): string;
  /** Runs `code-server --install-extension <vsix>` against the same folders (offline, ~1 s). */
  installExtension(vsix: string): void;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartCodeServerOptions {
  /** Extra user settings merged over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Forward code-server's own output to stderr (default false; it is kept for logs()). */
  verbose?: boolean;
  /** Extra environment for code-server and its extension host (e.g. NODE_EXTRA_CA_CERTS). */
  env?: NodeJS.ProcessEnv;
}

function codeServerArgs(port: number, root: string): string[] {
  return [
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    join(root, 'user'),
    '--extensions-dir',
    join(root, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--reconnection-grace-time',
    '5',
    // Enables the workbench `payload` URL parameter (extensionDevelopmentPath / extensionTestsPath)
    // and window.codeAutomationExit, which is how extension tests report back.
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
}

async function waitForHealth(origin: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}\n${logs()}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      await res.text();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within 30 s\n${logs()}`);
}

/** Starts code-server on a free loopback port and waits until it is healthy. */
export async function startCodeServer(
  tools: ToolsManifest,
  options: StartCodeServerOptions = {},
): Promise<CodeServer> {
  const node24 = requireTool(tools.node24, 'node24');
  const bin = requireTool(tools.codeServer, 'codeServer').bin;
  const root = mkdtempSync(join(tmpdir(), 'sherpa-code-server-'));
  const home = join(root, 'home');
  const workspace = join(root, 'workspace');
  for (const d of [home, workspace, join(root, 'user', 'User'), join(root, 'extensions')]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(
    join(root, 'user', 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${node24.binDir}${delimiter}${process.env.PATH ?? ''}`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    ...options.env,
  };
  const port = await findFreePort('127.0.0.1');
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(bin, codeServerArgs(port, root), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
    if (options.verbose) process.stderr.write(d);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const logs = () => output;
  // If the harness dies before stop(), do not leave a code-server (and its extension host) behind.
  const killOnExit = () => killGroup(child);
  process.once('exit', killOnExit);
  try {
    await waitForHealth(origin, child, logs);
  } catch (e) {
    killGroup(child);
    rmSync(root, { recursive: true, force: true });
    throw e;
  }

  const remoteUri = (path: string) => `vscode-remote://127.0.0.1:${port}${path}`;
  return {
    origin,
    workspace,
    root,
    env,
    remoteUri,
    workbenchUrl(payload) {
      const url = new URL(origin);
      url.searchParams.set('folder', workspace);
      if (payload) url.searchParams.set('payload', JSON.stringify(payload));
      return url.href;
    },
    installExtension(vsix) {
      const r = spawnSync(
        bin,
        [
          '--user-data-dir',
          join(root, 'user'),
          '--extensions-dir',
          join(root, 'extensions'),
          '--install-extension',
          vsix,
          '--force',
        ],
        { env, encoding: 'utf8' },
      );
      if (r.status !== 0)
        throw new Error(`code-server --install-extension ${vsix} failed:\n${r.stdout}${r.stderr}`);
    },
    logs,
    async stop() {
      process.off('exit', killOnExit);
      const exited = new Promise((r) => child.once('exit', r));
      killGroup(child);
      if (child.exitCode === null && child.signalCode === null) {
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** code-server forks an extension host and more: stop the whole process group we started. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
