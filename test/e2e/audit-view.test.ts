/**
 * End-to-end, as a person would: Start Local Lab → "Sherpa: Audit an MCP Server…" → pick the vulnerable
 * server in the quick pick → the Audit view shows its findings grouped by OWASP MCP item, the static
 * token named in MCP01 (test-results/e2e-audit-view.png).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openWorkbench, runCommand, screenshot, type Workbench } from './workbench';
import { treeRows, widenSidebar } from './workbench-ui';

describe('Audit view in a real VS Code (code-server + Chromium)', { timeout: 180_000 }, () => {
  let workbench: Workbench;
  let page: Page;

  before(async () => {
    workbench = await openWorkbench();
    page = workbench.page;
  });
  after(async () => {
    if (page) await screenshot(page, 'audit-last').catch(() => undefined);
    await workbench?.close();
  });

  test('auditing the vulnerable server names the static token under MCP01, with failed checks', async () => {
    await runCommand(page, 'Sherpa Lab: Start Local Lab');
    await page
      .locator('.statusbar-item', { hasText: /lab running/i })
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'Sherpa: Audit an MCP Server…');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Vulnerable server' }).first();
    await pick.waitFor({ state: 'visible', timeout: 15_000 });
    await pick.click();
    const rows = treeRows(page, 'Audit');
    await rows.filter({ hasText: /MCP01/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    // Make room: collapse the Servers and Token panes, so the Audit view fills the sidebar.
    for (const title of ['Servers', 'Token']) {
      const header = page.locator('.pane-header', { hasText: new RegExp(`^${title}`) }).first();
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    const staticRow = rows.filter({ hasText: /static shared token/i }).first();
    await staticRow.waitFor({ state: 'visible', timeout: 15_000 });
    const width = await widenSidebar(page, 900);
    assert.ok(width > 700, `the sidebar is wide enough to read the findings (${width} px)`);
    // Open the finding, as a person would, to see its remedy and evidence.
    await staticRow.click();
    await rows
      .filter({ hasText: /^Remedy/ })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    const text = (await rows.allInnerTexts()).join('\n');
    await screenshot(page, 'audit-view');
    assert.match(text, /MCP01 Token mismanagement/);
    assert.match(text, /MCP07 Insufficient authentication/);
    assert.match(text, /Not a static shared token/);
    assert.match(text, /STATIC TOKEN/);
    assert.match(text, /Remedy.*OAuth 2\.1/s);
  });
});
