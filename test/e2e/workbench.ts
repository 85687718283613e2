/**
 * What the e2e tests share: build and install the VSIX into a fresh code-server, open its workbench in
 * headless Chromium as a person would, run commands from the Command Palette, save screenshots.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureTools, REPO_ROOT } from '../../scripts/tools-manifest';
import { launchBrowser } from '../vscode/harness/browser';
import { startCodeServer, type CodeServer } from '../vscode/harness/code-server';

export const RESULTS = join(REPO_ROOT, 'test-results');
const VSIX = join(REPO_ROOT, 'dist', 'sherpa.vsix');

export interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * Packages the VSIX, starts code-server with it installed and `settings` in the user settings, and
 * opens the workbench. The lab runs on free ports, so one already running on 7480-7482 does not interfere.
 */
export async function openWorkbench(settings: Record<string, unknown> = {}): Promise<Workbench> {
  const tools = ensureTools(['code-server', 'chromium']);
  const pack = spawnSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(pack.status, 0, `npm run package failed:\n${pack.stdout}${pack.stderr}`);
  const server = await startCodeServer(tools, {
    settings: {
      'sherpa.lab.authorizationServerPort': 0,
      'sherpa.lab.vulnerablePort': 0,
      'sherpa.lab.securePort': 0,
      ...settings,
    },
  });
  server.installExtension(VSIX);
  const browser = await launchBrowser(tools);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // code-server turns a loopback URL given to openExternal into its own port-forwarding route
  // (/proxy/PORT/…), meant for a browser on another machine. Here browser and lab share the machine,
  // and the lab's cookies and redirects use its own origin: send such requests straight to the port.
  await context.route(`${server.origin}/proxy/**`, (route) => {
    const m = /\/proxy\/(\d+)\/(.*)$/.exec(route.request().url());
    if (!m) return route.continue();
    return route.fulfill({ status: 302, headers: { location: `http://127.0.0.1:${m[1]}/${m[2]}` } });
  });
  if (process.env.SHERPA_E2E_DEBUG) {
    context.on('response', (r) =>
      process.stderr.write(`[e2e] ${r.status()} ${r.request().method()} ${r.url().slice(0, 160)}\n`),
    );
  }
  const page = await context.newPage();
  await page.goto(server.workbenchUrl());
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
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

/**
 * Drags the sidebar's sash (VS Code's drag handle on its edge) to the right, as a person does to read
 * long rows, until the sidebar is `width` px wide. Returns the new width.
 */
export async function widenSidebar(page: Page, width: number): Promise<number> {
  const sidebar = page.locator('.part.sidebar').first();
  const box = await sidebar.boundingBox();
  assert.ok(box, 'the sidebar is shown');
  const edge = box.x + box.width;
  let sash: { x: number; y: number; width: number; height: number } | undefined;
  for (const s of await page.locator('.monaco-sash.vertical').all()) {
    const b = await s.boundingBox();
    if (b && b.height > 200 && Math.abs(b.x + b.width / 2 - edge) < 6) sash = b;
  }
  assert.ok(sash, `a vertical sash at the sidebar's edge (x=${edge})`);
  const x = sash.x + sash.width / 2;
  const y = sash.y + sash.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 100, y, { steps: 4 });
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(box.x + width + 200, y); // no hover highlight in a screenshot
  return (await sidebar.boundingBox())?.width ?? 0;
}
