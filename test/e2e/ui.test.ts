/**
 * End-to-end UI test, as a person would use Sherpa: the packaged VSIX installed into a real VS Code
 * (code-server 4.139.1), the workbench in headless Chromium, commands run from the Command Palette
 * (F1 → title → Enter), results read from the tree views, a screenshot per step in test-results/.
 *
 * The steps share one workbench page and run in order; add a test() to extend the scenario:
 *   1. the Servers view lists both servers;
 *   2. Start Local Lab → Connect Secure Server → alice signs in on the lab's login page in the tab the
 *      extension opens → the Token view shows aud, the scope and that every check passed.
 *
 *   node --import tsx --test test/e2e/ui.test.ts        (builds the VSIX with `npm run package`)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LAB_API_CLIENT_ID, LAB_USERS } from '../../src/core/lab-defaults';
import { ensureTools, REPO_ROOT } from '../../scripts/tools-manifest';
import { launchBrowser } from '../vscode/harness/browser';
import { startCodeServer, type CodeServer } from '../vscode/harness/code-server';

const RESULTS = join(REPO_ROOT, 'test-results');
const VSIX = join(REPO_ROOT, 'dist', 'sherpa.vsix');

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `e2e-${name}.png`) });
}

/**
 * Runs a command from the Command Palette by its title. Right after start-up the extension may not
 * have contributed it yet, so retry (F1 → type → look for the row → Escape) instead of sleeping.
 */
async function runCommand(page: Page, title: string, attempts = 8): Promise<void> {
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

/** Tree rows of a view, by the view's pane (identified by its title in the pane header). */
function treeRows(page: Page, viewTitle: string) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: viewTitle }) });
  return pane.locator('[role="treeitem"]');
}

describe('Sherpa in a real VS Code (code-server + Chromium)', { timeout: 240_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const tools = ensureTools(['code-server', 'chromium']);
    const pack = spawnSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(pack.status, 0, `npm run package failed:\n${pack.stdout}${pack.stderr}`);
    // Lab on free ports, so a lab already running on the defaults (7480-7482) does not get in the way.
    server = await startCodeServer(tools, {
      settings: {
        'sherpa.lab.authorizationServerPort': 0,
        'sherpa.lab.vulnerablePort': 0,
        'sherpa.lab.securePort': 0,
      },
    });
    server.installExtension(VSIX);
    browser = await launchBrowser(tools);
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
    page = await context.newPage();
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  });

  // A failing step leaves a screenshot of the workbench as it was (test-results/e2e-failure-*.png).
  afterEach(async (t) => {
    if (!page) return;
    const failed = (t as unknown as { passed?: boolean }).passed === false;
    if (failed)
      await screenshot(page, `failure-${t.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => undefined);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  test('the installed VSIX shows the Sherpa Servers view with both servers', async () => {
    await runCommand(page, 'Sherpa: Focus on Servers View');
    const rows = treeRows(page, 'Servers');
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    const labels = (await rows.allInnerTexts()).join('\n');
    await screenshot(page, 'servers-view');
    assert.match(labels, /secure/i, `Servers view rows: ${labels}`);
    assert.match(labels, /vulnerable/i, `Servers view rows: ${labels}`);
  });

  test('Connect Secure Server: sign in on the lab page, the Token view shows aud, scope and passing checks', async () => {
    const alice = LAB_USERS.find((u) => u.username === 'alice');
    assert.ok(alice, 'lab user alice');
    await runCommand(page, 'Sherpa: Start Local Lab');
    // The status bar item is the lasting signal (toasts may stay collapsed in the notification centre).
    await page
      .locator('.statusbar-item', { hasText: /lab running/i })
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
    const signInTab = page.context().waitForEvent('page', { timeout: 60_000 });
    await runCommand(page, 'Sherpa: Connect Secure Server');
    // VS Code may ask first: allow the sign-in, then allow opening the (loopback) sign-in page.
    let opened = false;
    const consent = clickDialogButtons(page, ['Allow', 'Open'], () => opened);
    const login = await signInTab.finally(() => (opened = true));
    await consent;
    await login.waitForLoadState('domcontentloaded');
    await login
      .locator('input[name="username"]')
      .waitFor({ state: 'visible', timeout: 30_000 })
      .catch(async (e: Error) => {
        await screenshot(login, 'failure-sign-in-tab').catch(() => undefined);
        throw new Error(`no lab login form in the sign-in tab (${login.url()}): ${e.message}`);
      });
    await screenshot(login, 'lab-login');
    await login.fill('input[name="username"]', alice.username);
    await login.fill('input[name="password"]', alice.password);
    await login.getByRole('button', { name: /sign in/i }).click();
    // The lab redirects the tab to the extension's loopback receiver with the code (RFC 8252 §7.3).
    await login.waitForURL(/\/callback\?/, { timeout: 30_000 }).catch(async (e: Error) => {
      await screenshot(login, 'failure-after-sign-in').catch(() => undefined);
      throw new Error(`the sign-in tab never reached the loopback callback (${login.url()}): ${e.message}`);
    });
    await page.bringToFront();
    const rows = treeRows(page, 'Token');
    await rows.filter({ hasText: /aud/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    const labels = (await rows.allInnerTexts()).join('\n');
    await screenshot(page, 'token-view');
    assert.match(labels, new RegExp(`aud ${LAB_API_CLIENT_ID}`), `Token view rows: ${labels}`);
    assert.match(labels, /Scope\s*has access_as_user/, `Token view rows: ${labels}`);
    assert.match(labels, /Checks\s*all passed/, `Token view rows: ${labels}`);
  });
});

/** Clicks any of the named buttons in VS Code dialogs until `done()` (no dialog at all is fine). */
async function clickDialogButtons(page: Page, names: string[], done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done() && Date.now() < deadline) {
    for (const name of names) {
      const button = page.locator('.monaco-dialog-box .monaco-button', { hasText: new RegExp(`^${name}$`) });
      if (
        await button
          .first()
          .isVisible()
          .catch(() => false)
      )
        await button.first().click();
    }
    await page.waitForTimeout(250);
  }
}
