/**
 * The lab's sign-in pages as the person sees them in the tab VS Code opened: assert where the tab is (a
 * remote browser must be at code-server's forwarded address, a local one at the lab's own port), take a
 * screenshot of each page, fill in the lab user, and follow the redirect back to the app.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { LabUser } from '../../src/servers/shared/lab-defaults';
import { runCommand, screenshot, type Workbench } from './workbench';
import { clickDialogButtons, signInDialog } from './workbench-ui';

/**
 * A screenshot of a sign-in tab with its address shown on top, as the browser's address bar would (a
 * headless page screenshot has no browser chrome); the strip is removed again afterwards.
 */
export async function screenshotWithAddress(tab: Page, name: string): Promise<void> {
  await tab.evaluate(() => {
    const bar = document.createElement('div');
    bar.id = 'sherpa-e2e-address';
    bar.textContent = location.href;
    bar.setAttribute(
      'style',
      'position:fixed;top:0;left:0;right:0;z-index:99999;padding:6px 10px;background:#dee1e6;color:#202124;' +
        'font:13px/1.4 monospace;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;border-bottom:1px solid #aaa',
    );
    document.body.append(bar);
  });
  await screenshot(tab, name);
  await tab.evaluate(() => document.getElementById('sherpa-e2e-address')?.remove());
}

/** Fails unless `url` is where this placement's browser may be: code-server's /proxy/ (remote) or loopback. */
export function assertBrowserAddress(workbench: Workbench, url: string, what: string): void {
  const u = new URL(url);
  if (workbench.placement === 'remote') {
    assert.equal(u.origin, workbench.server.origin, `${what} is at code-server's origin: ${url}`);
    assert.match(u.pathname, /^\/proxy\/\d+\//, `${what} is a forwarded (/proxy/PORT/) address: ${url}`);
  } else {
    assert.notEqual(u.origin, workbench.server.origin, `${what} is at the lab's own port: ${url}`);
  }
}

/** How long the person takes: on the login page before typing (issue 20: minutes, not 15 s). */
export interface PersonPace {
  loginPageMs?: number;
}

/**
 * Authorization code sign-in in `tab`: the login form → `user` → the redirect to Sherpa's receiver
 * (`…/callback?code=…`), whose page says "Signed in". Screenshots `<name>.png` (form) and
 * `<name>-done.png` (receiver page).
 */
export async function signInOnLabPage(
  workbench: Workbench,
  tab: Page,
  user: LabUser,
  name: string,
  pace: PersonPace = {},
): Promise<{ loginUrl: string; callbackUrl: string }> {
  await tab.waitForLoadState('domcontentloaded');
  await tab
    .locator('input[name="username"]')
    .waitFor({ state: 'visible', timeout: 30_000 })
    .catch(async (e: Error) => {
      await screenshot(tab, `failure-${name}`).catch(() => undefined);
      throw new Error(`no lab login form in the sign-in tab (${tab.url()}): ${e.message}`);
    });
  const loginUrl = tab.url();
  assertBrowserAddress(workbench, loginUrl, 'the sign-in page');
  await screenshotWithAddress(tab, name);
  // A person reads the page and finds the password before typing it.
  if (pace.loginPageMs) await tab.waitForTimeout(pace.loginPageMs);
  await tab.fill('input[name="username"]', user.username);
  await tab.fill('input[name="password"]', user.password);
  await tab.getByRole('button', { name: /sign in/i }).click();
  // The lab redirects the tab to the extension's receiver with the code (RFC 8252 §7.3), forwarded or not.
  await tab.waitForURL(/\/callback\?/, { timeout: 30_000 }).catch(async (e: Error) => {
    await screenshot(tab, `failure-${name}-after`).catch(() => undefined);
    throw new Error(`the sign-in tab never reached the callback (${tab.url()}): ${e.message}`);
  });
  const callbackUrl = tab.url();
  assertBrowserAddress(workbench, callbackUrl, 'the redirect back to Sherpa');
  await tab.getByText(/You can close this tab/).waitFor({ timeout: 10_000 });
  await screenshotWithAddress(tab, `${name}-done`);
  return { loginUrl, callbackUrl };
}

/** The device flow's pages (RFC 8628 §3.3): code (unless prefilled) → confirm → login as `user` → done. */
export async function approveDeviceCodeOnLabPage(
  workbench: Workbench,
  tab: Page,
  user: LabUser,
  code: string,
  name: string,
): Promise<void> {
  await tab.waitForLoadState('domcontentloaded');
  assertBrowserAddress(workbench, tab.url(), 'the device code page');
  const codeInput = tab.locator('input[name="user_code"]');
  if (await codeInput.isVisible().catch(() => false)) {
    await screenshotWithAddress(tab, `${name}-code`);
    await codeInput.fill(code);
    await tab.getByRole('button', { name: /^Continue$/ }).click();
  }
  await tab.getByText(/wants to sign in as you/).waitFor({ timeout: 10_000 });
  assert.match(await tab.locator('body').innerText(), new RegExp(`showing the code ${code}`));
  await screenshotWithAddress(tab, `${name}-confirm`);
  await tab.getByRole('button', { name: /^Continue$/ }).click();
  // The device flow has no prompt parameter: a browser that signed in to the lab before (the session
  // cookie of this origin) goes straight to "signed in" as that account; else the login form.
  const form = tab.locator('input[name="username"]');
  const done = tab.getByText(/You have signed in/);
  await form.or(done).first().waitFor({ state: 'visible', timeout: 10_000 });
  if (await form.isVisible()) {
    assertBrowserAddress(workbench, tab.url(), 'the device sign-in form');
    await screenshotWithAddress(tab, `${name}-login`);
    await tab.fill('input[name="username"]', user.username);
    await tab.fill('input[name="password"]', user.password);
    await tab.getByRole('button', { name: /sign in/i }).click();
  }
  await done.waitFor({ timeout: 10_000 });
  assertBrowserAddress(workbench, tab.url(), 'the device flow result page');
  await screenshotWithAddress(tab, `${name}-done`);
}

/** Connect Secure Server → Allow → the sign-in tab → `user` signs in there; returns the addresses used. */
export async function connectAndSignIn(
  workbench: Workbench,
  user: LabUser,
  name: string,
  pace: PersonPace = {},
) {
  const page = workbench.page;
  const signInTab = page.context().waitForEvent('page', { timeout: 60_000 });
  await runCommand(page, 'Sherpa Lab: Connect Secure Server');
  // vscode.authentication.getSession(createIfNone): VS Code asks first — a person clicks Allow.
  const consent = signInDialog(page);
  await consent.waitFor({ state: 'visible', timeout: 30_000 });
  await screenshot(page, `${name}-consent`);
  await consent.locator('.monaco-button', { hasText: /^Allow$/ }).click();
  // code-server may then ask whether to open the sign-in page (link protection).
  let opened = false;
  const openLink = clickDialogButtons(page, ['Open'], () => opened);
  const tab = await signInTab.finally(() => (opened = true));
  await openLink;
  const addresses = await signInOnLabPage(workbench, tab, user, name, pace);
  await tab.close();
  await page.bringToFront();
  return addresses;
}
