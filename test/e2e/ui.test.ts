/**
 * End-to-end UI test, as a person would use Sherpa: the packaged VSIX installed into a real VS Code
 * (code-server 4.139.1), the workbench in headless Chromium, commands run from the Command Palette
 * (F1 → title → Enter), results read from the tree views, a screenshot per step in test-results/.
 *
 * The scenario is a list of steps sharing one workbench page; add a step to extend it (next: Start
 * Local Lab → Connect Secure Server → sign in on the lab login page in the tab the extension opens →
 * the Token view shows aud/scp/checks).
 *
 *   node --import tsx --test test/e2e/ui.test.ts        (builds the VSIX with `npm run package`)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
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
    server = await startCodeServer(tools);
    server.installExtension(VSIX);
    browser = await launchBrowser(tools);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
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
});
