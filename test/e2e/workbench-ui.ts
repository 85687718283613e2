/**
 * Workbench interactions the e2e tests share: tree rows (and moving through a tree with the keyboard),
 * notifications, VS Code's dialogs, arranging the sidebar for a screenshot.
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

/** The sidebar's box and the vertical sash on its right edge, once the layout has settled. */
async function sidebarSash(page: Page) {
  const sidebar = page.locator('.part.sidebar').first();
  let last = '';
  // A command that re-lays out the workbench (View: Hide Panel…) returns before the layout is done: on a
  // loaded machine the sidebar and its sash may still be moving. Take them only when two looks agree.
  for (let i = 0; i < 60; i++) {
    const box = await sidebar.boundingBox();
    let sash: { x: number; y: number; width: number; height: number } | undefined;
    if (box) {
      const edge = box.x + box.width;
      // The nearest tall vertical sash: VS Code 1.139 leaves a gap of a few px between the parts, and the
      // sash sits in it (its centre is not always within a fixed distance of the sidebar's box).
      for (const s of await page.locator('.monaco-sash.vertical').all()) {
        const b = await s.boundingBox().catch(() => null);
        const off = b ? Math.abs(b.x + b.width / 2 - edge) : Infinity;
        if (b && b.height > 200 && off < 16 && (!sash || off < Math.abs(sash.x + sash.width / 2 - edge)))
          sash = b;
      }
    }
    const now = JSON.stringify([box, sash]);
    if (box && sash && now === last) return { sidebar, box, sash };
    last = now;
    await page.waitForTimeout(250);
  }
  const all = await page
    .locator('.monaco-sash.vertical')
    .evaluateAll((l) => l.map((e) => JSON.stringify(e.getBoundingClientRect())));
  assert.fail(`no vertical sash at the sidebar's edge: ${last}; vertical sashes: ${all.join(' ')}`);
}

/**
 * Drags the sidebar's sash (VS Code's drag handle on its edge) to the right, as a person does to read
 * long rows, until the sidebar is `width` px wide. Returns the new width.
 */
export async function widenSidebar(page: Page, width: number): Promise<number> {
  let reached = 0;
  let moved = false;
  // A person whose drag did not take (the workbench was busy) drags again; three tries at most. A drag that
  // moved the edge short of `width` met the editor's minimum width: dragging again would not help.
  for (let attempt = 0; attempt < 3 && !moved; attempt++) {
    const { sidebar, box, sash } = await sidebarSash(page);
    const x = sash.x + sash.width / 2;
    const y = sash.y + sash.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 100, y, { steps: 4 });
    await page.mouse.move(box.x + width, y, { steps: 8 });
    await page.mouse.up();
    await page.mouse.move(box.x + width + 240, y); // no hover highlight in a screenshot
    reached = (await sidebar.boundingBox())?.width ?? 0;
    moved = reached > box.width + 20 || reached >= width - 20;
  }
  return reached;
}

/** The row a view's tree has keyboard focus on (VS Code marks it `.focused`), and what it shows. */
async function focusedRow(page: Page, viewTitle: string, index?: number, timeout = 10_000) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: viewTitle }) });
  // In the list's rows, not a sticky-scroll copy of a parent row pinned above them.
  const focused = '.monaco-list-rows .monaco-list-row.focused';
  const row = pane.locator(index === undefined ? focused : `${focused}[data-index="${index}"]`).first();
  await row.waitFor({ state: 'visible', timeout });
  return row.evaluate((e) => ({
    index: Number(e.getAttribute('data-index')),
    level: Number(e.getAttribute('aria-level')),
    expanded: e.getAttribute('aria-expanded'),
    text: (e as HTMLElement).innerText,
  }));
}

/**
 * Gives the view's tree the keyboard focus unless it has it. Something else may take it meanwhile (VS Code
 * shows an MCP server's output when the server fails to start): a person clicks back into the tree.
 */
async function treeKeyboardFocus(page: Page, viewTitle: string): Promise<void> {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: viewTitle }) });
  const list = pane.locator('.monaco-list').first();
  await list.waitFor({ state: 'visible', timeout: 10_000 });
  const focused = () => list.evaluate((e) => e.contains(document.activeElement));
  if (await focused()) return;
  await runCommand(page, `Sherpa: Focus on ${viewTitle} View`);
  for (let i = 0; !(await focused()); i++) {
    assert.ok(i < 40, `the ${viewTitle} tree never took the keyboard focus`);
    await page.waitForTimeout(250);
  }
}

/** Presses an arrow key in the focused tree and waits until the focused row is another than `from` (text). */
async function moveFocus(page: Page, viewTitle: string, key: 'ArrowDown' | 'ArrowUp', from: string) {
  await treeKeyboardFocus(page, viewTitle);
  await page.keyboard.press(key);
  for (let i = 0; ; i++) {
    const now = await focusedRow(page, viewTitle);
    if (now.text !== from) return now;
    assert.ok(i < 40, `the ${viewTitle} tree's focus did not move (${key}) from ${from}`);
    await page.waitForTimeout(250);
  }
}

/** Down (or Up) arrow in the focused tree; waits until the focus has moved to the next (previous) row. */
async function step(page: Page, viewTitle: string, from: number, down = true) {
  await treeKeyboardFocus(page, viewTitle);
  await page.keyboard.press(down ? 'ArrowDown' : 'ArrowUp');
  return focusedRow(page, viewTitle, down ? from + 1 : from - 1).catch((e: Error) => {
    throw new Error(
      `the ${viewTitle} tree's focus did not move ${down ? 'down' : 'up'} from row ${from}: ${e.message}`,
    );
  });
}

/**
 * Moves the keyboard focus in a view's tree onto the first row whose text matches, as a person does with
 * the arrow keys. VS Code's trees render only the rows in view; the tree reveals the focused row itself,
 * so no scrolling (and no guessing how far) is needed. Returns the row's position in the tree.
 */
export async function focusTreeRow(page: Page, viewTitle: string, match: RegExp, maxRows = 300) {
  await treeKeyboardFocus(page, viewTitle);
  await page.keyboard.press('Home');
  let row = await focusedRow(page, viewTitle, 0);
  for (let i = 0; !match.test(row.text); i++) {
    assert.ok(i < maxRows, `no row matching ${match} in the ${viewTitle} tree`);
    row = await step(page, viewTitle, row.index);
  }
  return row;
}

/**
 * Opens the focused tree row (Right arrow) and moves the focus down through its children to the first one
 * whose text matches; the tree reveals it. The children come from the extension host, maybe later than the
 * row opens: until the row below is one of them, go back up and try again.
 */
export async function focusChildRow(
  page: Page,
  viewTitle: string,
  parent: { index: number; level: number; expanded: string | null; text: string },
  match: RegExp,
) {
  // Right opens a closed row (the focus stays on it); on an open one it would move to the first child.
  await treeKeyboardFocus(page, viewTitle);
  if (parent.expanded !== 'true') await page.keyboard.press('ArrowRight');
  let row: Awaited<ReturnType<typeof focusedRow>> | undefined;
  for (let i = 0; !row; i++) {
    const below = await moveFocus(page, viewTitle, 'ArrowDown', parent.text);
    if (below.level === parent.level + 1) row = below;
    else {
      // The children had not come when the key went down: the focus went past them (and a row that came
      // meanwhile may have moved it further). Back up to the parent and try again.
      assert.ok(i < 40, `row ${parent.index} of the ${viewTitle} tree shows no children (${below.text})`);
      for (let up = 0, at = below; at.text !== parent.text; up++) {
        assert.ok(up < 20, `lost the parent row in the ${viewTitle} tree (at ${at.text})`);
        at = await moveFocus(page, viewTitle, 'ArrowUp', at.text);
      }
      await page.waitForTimeout(250);
    }
  }
  while (!match.test(row.text)) {
    row = await step(page, viewTitle, row.index);
    assert.equal(row.level, parent.level + 1, `no child of row ${parent.index} matches ${match}`);
  }
  return row;
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
