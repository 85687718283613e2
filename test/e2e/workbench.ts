/**
 * What the e2e tests share: build and install the VSIX into a fresh code-server, open its workbench in
 * headless Chromium as a person would, run commands from the Command Palette, save screenshots.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureTools, REPO_ROOT } from '../../scripts/tools-manifest';
import { launchBrowser } from '../vscode/harness/browser';
import { startCodeServer, type CodeServer } from '../vscode/harness/code-server';

export const RESULTS = join(REPO_ROOT, 'test-results');
const VSIX = join(REPO_ROOT, 'dist', 'sherpa.vsix');

export interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
  placement: BrowserPlacement;
  /** URLs the remote browser tried to reach outside code-server's origin (refused). */
  blocked: string[];
  close(): Promise<void>;
}

/**
 * Where the test's browser is, as far as the network goes:
 *  - `remote` (default): on another machine, as with code-server in the cloud, Codespaces, Remote-SSH — it
 *    reaches code-server's origin and nothing else; every other loopback port is blocked in the browser and
 *    nothing is rewritten, so each sign-in must work at VS Code's forwarded (/proxy/PORT/) addresses;
 *  - `local`: on the extension host's machine, as with desktop VS Code — Sherpa is told so
 *    (`sherpa.signIn.browser: sameMachine`), and a page VS Code hands to the browser as code-server's
 *    /proxy/PORT/… form is opened at 127.0.0.1:PORT directly, as desktop VS Code's openExternal would.
 */
export type BrowserPlacement = 'remote' | 'local';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface OpenWorkbenchOptions {
  /** Environment for code-server and its extension host. */
  env?: NodeJS.ProcessEnv;
  /** Runs once code-server is up and before the page opens: routes that must see every request. */
  beforeOpen?: (context: BrowserContext, server: CodeServer) => Promise<void>;
}

/**
 * Packages the VSIX, starts code-server with it installed and `settings` in the user settings, and
 * opens the workbench. The lab runs on free ports, so one already running on 7480-7482 does not interfere.
 */
export async function openWorkbench(
  settings: Record<string, unknown> = {},
  placement: BrowserPlacement = 'remote',
  options: OpenWorkbenchOptions = {},
): Promise<Workbench> {
  const tools = ensureTools(['code-server', 'chromium']);
  packageVsix();
  const server = await startCodeServer(tools, {
    settings: {
      'sherpa.lab.authorizationServerPort': 0,
      'sherpa.lab.vulnerablePort': 0,
      'sherpa.lab.securePort': 0,
      ...(placement === 'local' ? { 'sherpa.signIn.browser': 'sameMachine' } : {}),
      ...settings,
    },
    ...(options.env ? { env: options.env } : {}),
  });
  server.installExtension(VSIX);
  const browser = await launchBrowser(tools);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const blocked: string[] = [];
  const codeServerPort = new URL(server.origin).port;
  if (placement === 'remote') {
    // Only code-server's origin is reachable, as for a browser on another machine: a request to any other
    // loopback port (the lab, a sign-in receiver) fails in the browser, visibly (blocked[] in the log).
    await context.route(
      (url) => LOOPBACK_NAMES.has(url.hostname) && url.port !== codeServerPort,
      (route) => {
        blocked.push(route.request().url());
        return route.abort('blockedbyclient');
      },
    );
  } else {
    // code-server turns a loopback URL given to openExternal into its port-forwarding route (/proxy/PORT/…);
    // desktop VS Code opens the loopback URL itself: do what the desktop does.
    await context.route(`${server.origin}/proxy/**`, (route) => {
      const m = /\/proxy\/(\d+)\/(.*)$/.exec(route.request().url());
      if (!m) return route.continue();
      return route.fulfill({ status: 302, headers: { location: `http://127.0.0.1:${m[1]}/${m[2]}` } });
    });
  }
  if (process.env.SHERPA_E2E_DEBUG) {
    context.on('response', (r) =>
      process.stderr.write(`[e2e] ${r.status()} ${r.request().method()} ${r.url().slice(0, 160)}\n`),
    );
  }
  await options.beforeOpen?.(context, server);
  const page = await context.newPage();
  await page.goto(server.workbenchUrl());
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  return {
    server,
    browser,
    page,
    placement,
    blocked,
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}

/** What goes into the VSIX: the sources, the manifest files, the build script, the locked dependencies. */
const VSIX_INPUTS = [
  'src',
  'media',
  'package.json',
  'package.nls.json',
  'package-lock.json',
  'esbuild.mjs',
  '.vscodeignore',
  'README.md',
  'LICENSE',
];
const VSIX_STAMP = `${VSIX}.inputs.json`;

function inputsHash(): string {
  const hash = createHash('sha256');
  const add = (rel: string) => {
    const abs = join(REPO_ROOT, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const f of readdirSync(abs, { recursive: true }).map(String).sort()) {
        if (statSync(join(abs, f)).isFile()) hash.update(`${rel}/${f}\0`).update(readFileSync(join(abs, f)));
      }
    } else hash.update(`${rel}\0`).update(readFileSync(abs));
  };
  VSIX_INPUTS.forEach(add);
  return hash.digest('hex');
}

/**
 * `npm run package` (production build + vsce, ~15 s on 2 busy cores), unless dist/sherpa.vsix was built
 * here from exactly these inputs: the five e2e files of one `npm test` then package once, not five times.
 * The stamp names the VSIX's size and mtime too, so a VSIX rebuilt by anything else is packaged again.
 */
function packageVsix(): void {
  const hash = inputsHash();
  const vsixNow = () => {
    const st = statSync(VSIX, { throwIfNoEntry: false });
    return st ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
  };
  const stamp = existsSync(VSIX_STAMP)
    ? (JSON.parse(readFileSync(VSIX_STAMP, 'utf8')) as { hash?: string; size?: number; mtimeMs?: number })
    : {};
  const now = vsixNow();
  if (now && stamp.hash === hash && stamp.size === now.size && stamp.mtimeMs === now.mtimeMs) return;
  const pack = spawnSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(pack.status, 0, `npm run package failed:\n${pack.stdout}${pack.stderr}`);
  writeFileSync(VSIX_STAMP, JSON.stringify({ hash, ...vsixNow() }));
}

/** Saves `test-results/e2e-<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `e2e-${name}.png`) });
}

/**
 * Runs a command from the Command Palette by its title. Right after start-up the extension may not
 * have contributed it yet, so retry (F1 → type → look for the row → Escape) instead of sleeping.
 */
export async function runCommand(page: Page, title: string, attempts = 8): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`command "${title}" never appeared in the Command Palette`);
}
