/**
 * End-to-end UI test, as a person would use Sherpa: the packaged VSIX installed into a real VS Code
 * (code-server 4.139.1), the workbench in headless Chromium, commands run from the Command Palette
 * (F1 → title → Enter), results read from the tree views, a screenshot per step in test-results/.
 *
 * The steps share one workbench page and run in order; add a test() to extend the scenario:
 *   1. the Servers view lists both servers;
 *   2. Start Local Lab → Connect Secure Server → VS Code's "wants to sign in using Sherpa OAuth" modal →
 *      Allow → alice signs in on the lab's login page in the tab the extension opens → the Token view
 *      (sidebar widened by its sash, Servers collapsed) shows aud, scp and that every check passed;
 *   3. a second Connect reuses the session silently (no modal, no sign-in tab);
 *   4. Sign Out → Connect asks again (the modal is back; Cancel → no progress notification left);
 *   5. Connect Vulnerable Server → the warning about the static token.
 *
 *   node --import tsx --test test/e2e/ui.test.ts        (builds the VSIX with `npm run package`)
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { LAB_API_CLIENT_ID, LAB_USERS } from '../../src/core/lab-defaults';
import { openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

/** Tree rows of a view, by the view's pane (identified by its title in the pane header). */
function treeRows(page: Page, viewTitle: string) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: viewTitle }) });
  return pane.locator('[role="treeitem"]');
}

describe('Sherpa in a real VS Code (code-server + Chromium)', { timeout: 240_000 }, () => {
  let workbench: Workbench;
  let page: Page;

  before(async () => {
    workbench = await openWorkbench();
    page = workbench.page;
  });

  // A failing step leaves a screenshot of the workbench as it was (test-results/e2e-failure-*.png).
  afterEach(async (t) => {
    if (!page) return;
    const failed = (t as unknown as { passed?: boolean }).passed === false;
    if (failed)
      await screenshot(page, `failure-${t.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => undefined);
  });

  after(async () => {
    await workbench?.close();
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
    // vscode.authentication.getSession(createIfNone): VS Code asks first — a person clicks Allow.
    const consent = signInDialog(page);
    await consent.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'consent');
    await consent.locator('.monaco-button', { hasText: /^Allow$/ }).click();
    // code-server may then ask whether to open the (loopback) sign-in page.
    let opened = false;
    const openLink = clickDialogButtons(page, ['Open'], () => opened);
    const login = await signInTab.finally(() => (opened = true));
    await openLink;
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
    assert.match(labels, new RegExp(`aud ${LAB_API_CLIENT_ID}`), `Token view rows: ${labels}`);
    assert.match(labels, /Scope\s*has access_as_user/, `Token view rows: ${labels}`);
    assert.match(labels, /Checks\s*all passed/, `Token view rows: ${labels}`);
    await arrangeForTokenScreenshot(page);
    for (const text of [
      'Audience (aud)',
      'Delegated scopes (scp)',
      'Checks',
      'Audience',
      'Scope',
      'Expiry',
    ]) {
      const row = rows.filter({
        has: page.locator('.label-name', { hasText: new RegExp(`^${escape(text)}$`) }),
      });
      await assertInView(page, row.first(), text);
    }
    await screenshot(page, 'token-view');
  });

  test('a second Connect reuses the session silently (no modal, no sign-in tab)', async () => {
    await clearNotifications(page);
    let newTab = false;
    const onPage = () => (newTab = true);
    page.context().on('page', onPage);
    await runCommand(page, 'Sherpa: Connect Secure Server');
    await waitForNotification(page, /Connected to the secure server/);
    page.context().off('page', onPage);
    assert.equal(
      await signInDialog(page).count(),
      0,
      'no consent modal for a session Sherpa may already use',
    );
    assert.equal(newTab, false, 'no sign-in tab');
  });

  test('Sign Out removes the session: the next Connect asks again', async () => {
    await clearNotifications(page);
    await runCommand(page, 'Sherpa: Sign Out');
    await page
      .locator('.statusbar-item', { hasText: /secure · token expires/ })
      .first()
      .waitFor({ state: 'detached', timeout: 30_000 });
    await runCommand(page, 'Sherpa: Connect Secure Server');
    const consent = signInDialog(page);
    await consent.waitFor({ state: 'visible', timeout: 30_000 });
    await consent.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await waitForNotification(page, /Sign-in was cancelled/);
    // The connect progress must settle on the cancel path too: a few seconds later no Sherpa progress
    // notification (toast or notification centre) is left with its Cancel button.
    await page.waitForTimeout(3_000);
    const progress = page.locator('.notification-list-item', {
      hasText: /Sherpa: connecting|Signing in to/,
    });
    const left = await progress.allInnerTexts();
    assert.equal(left.length, 0, `progress notifications still shown after Cancel: ${left.join(' | ')}`);
  });

  test('Connect Vulnerable Server warns about the static token', async () => {
    await clearNotifications(page);
    await runCommand(page, 'Sherpa: Connect Vulnerable Server');
    const warning = await waitForNotification(page, /STATIC token/);
    const text = await warning.innerText();
    assert.match(text, /never expires/, text);
    assert.match(text, /shared by every client/, text);
    // Expanded, so the whole lesson is readable in the screenshot; wait for the palette to fade out.
    await warning
      .locator('.codicon-notifications-expand')
      .first()
      .click()
      .catch(() => undefined);
    await page
      .locator('.quick-input-widget')
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => undefined);
    await page.waitForTimeout(300);
    await screenshot(page, 'vulnerable');
  });
});

/** Notifications with the same text are merged: clear them so a step's own message is the one found. */
async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notification-list-item').first().waitFor({ state: 'detached', timeout: 10_000 });
}

/** Opens the notification centre (toasts may be collapsed) and waits for a message there. */
async function waitForNotification(page: Page, text: RegExp) {
  const item = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  for (let i = 0; i < 30; i++) {
    await runCommand(page, 'Notifications: Show Notifications');
    if (await item.isVisible().catch(() => false)) return item;
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_000);
  }
  await item.waitFor({ state: 'visible', timeout: 1_000 });
  return item;
}

/** VS Code's consent modal for Sherpa's authentication provider. */
function signInDialog(page: Page) {
  return page.locator('.monaco-dialog-box', { hasText: /wants to sign in using Sherpa OAuth/ });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Arranges the workbench as a person would to read the token: drags the sidebar's sash to the right so
 * values are not cut off, collapses the Servers view and the Header node so Checks and Claims fit.
 */
async function arrangeForTokenScreenshot(page: Page): Promise<void> {
  const sidebar = page.locator('.part.sidebar').first();
  const box = await sidebar.boundingBox();
  assert.ok(box, 'the sidebar is shown');
  // The sash is VS Code's drag handle on the sidebar's edge (a person drags it to widen the sidebar).
  const edge = box.x + box.width;
  let sashBox: { x: number; y: number; width: number; height: number } | undefined;
  for (const sash of await page.locator('.monaco-sash.vertical').all()) {
    const b = await sash.boundingBox();
    if (b && b.height > 200 && Math.abs(b.x + b.width / 2 - edge) < 6) sashBox = b;
  }
  assert.ok(sashBox, `a vertical sash at the sidebar's edge (x=${edge})`);
  const x = sashBox.x + sashBox.width / 2;
  const y = sashBox.y + sashBox.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 100, y, { steps: 4 });
  await page.mouse.move(box.x + 760, y, { steps: 8 });
  await page.mouse.up();
  const wider = await sidebar.boundingBox();
  assert.ok(wider && wider.width > box.width + 200, `sidebar ${box.width} → ${wider?.width} px wide`);
  const serversHeader = page.locator('.pane-header', { hasText: 'Servers' }).first();
  if ((await serversHeader.getAttribute('aria-expanded')) === 'true') await serversHeader.click();
  const header = treeRows(page, 'Token').filter({
    has: page.locator('.label-name', { hasText: /^Header$/ }),
  });
  if ((await header.getAttribute('aria-expanded')) === 'true')
    await header.locator('.monaco-tl-twistie').click();
  await page.mouse.move(box.x + 1000, y); // no hover highlight in the screenshot
}

/** Fails unless the element is fully inside both the page's viewport and its scrolled view pane. */
async function assertInView(page: Page, row: ReturnType<Page['locator']>, what: string): Promise<void> {
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  const r = await row.boundingBox();
  const pane = await row.locator('xpath=ancestor::div[contains(@class,"pane-body")]').boundingBox();
  const vp = page.viewportSize();
  assert.ok(r && pane && vp, `${what}: no layout box`);
  const inside =
    r.y >= pane.y && r.y + r.height <= pane.y + pane.height && r.y >= 0 && r.y + r.height <= vp.height;
  assert.ok(
    inside,
    `${what} row is not in view (row y=${r.y}..${r.y + r.height}, pane y=${pane.y}..${pane.y + pane.height})`,
  );
}

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
