/**
 * Workbench interactions the e2e tests share: tree rows, notifications, VS Code's dialogs, arranging the
 * sidebar for a screenshot.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runCommand } from './workbench';

/** Tree rows of a view, by the view's pane (identified by its title in the pane header). */
export function treeRows(page: Page, viewTitle: string) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: viewTitle }) });
  return pane.locator('[role="treeitem"]');
}

/** Notifications with the same text are merged: clear them so a step's own message is the one found. */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notification-list-item').first().waitFor({ state: 'detached', timeout: 10_000 });
}

/** Opens the notification centre (toasts may be collapsed) and waits for a message there. */
export async function waitForNotification(page: Page, text: RegExp) {
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
export function signInDialog(page: Page) {
  return page.locator('.monaco-dialog-box', { hasText: /wants to sign in using Sherpa OAuth/ });
}

export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Arranges the workbench as a person would to read the token: drags the sidebar's sash to the right so
 * values are not cut off, collapses the Servers view and the Header node so Checks and Claims fit.
 */
export async function arrangeForTokenScreenshot(page: Page): Promise<void> {
  const before = (await page.locator('.part.sidebar').first().boundingBox())?.width ?? 0;
  const wider = await widenSidebar(page, 760);
  assert.ok(wider > before + 200, `sidebar ${before} → ${wider} px wide`);
  // Every other Sherpa view (Servers, Audit, Deployment Checks) folded away, so the Token view gets the height.
  for (const title of ['Servers', 'Audit', 'Deployment Checks']) {
    const paneHeader = page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}\\b`) }).first();
    if ((await paneHeader.count()) && (await paneHeader.getAttribute('aria-expanded')) === 'true')
      await paneHeader.click();
  }
  const header = treeRows(page, 'Token').filter({
    has: page.locator('.label-name', { hasText: /^Header$/ }),
  });
  if ((await header.getAttribute('aria-expanded')) === 'true')
    await header.locator('.monaco-tl-twistie').click();
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
  await page.mouse.move(box.x + width + 240, y); // no hover highlight in a screenshot
  return (await sidebar.boundingBox())?.width ?? 0;
}

/** Fails unless the element is fully inside both the page's viewport and its scrolled view pane. */
export async function assertInView(
  page: Page,
  row: ReturnType<Page['locator']>,
  what: string,
): Promise<void> {
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
export async function clickDialogButtons(page: Page, names: string[], done: () => boolean): Promise<void> {
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
