/**
 * End-to-end: VS Code's OWN MCP client (not Sherpa's) signs in to the lab's secure server, driven in a
 * real VS Code (code-server 4.139.1 = VS Code 1.139.1) in headless Chromium as a person would.
 *
 * Sherpa offers the secure server through `vscode.lm.registerMcpServerDefinitionProvider` with no
 * headers, so VS Code follows the 401 → RFC 9728 Protected Resource Metadata → RFC 8414 metadata itself.
 * What a person sees in code-server here, step by step (each asserted below):
 *   1. MCP: List Servers → "Sherpa secure server (OAuth 2.1)" → Start Server;
 *   2. VS Code registers itself (RFC 7591) without asking anything: its request lists
 *      https://vscode.dev/redirect and loopback redirect URIs, the lab keeps only the loopback ones
 *      (RFC 7591 §2 lets a server replace requested metadata) and grants the device grant;
 *   3. "wants to authenticate to Sherpa secure MCP server" → Allow;
 *   4. in a remote extension host (code-server) VS Code has no loopback flow, only the vscode.dev
 *      redirect, which the registered client does not have: the lab's page says invalid_redirect_uri →
 *      Cancel → "try a different way? (Device Code)" → Yes → RFC 8628 device code with the registered
 *      client: the lab's device page, the code, bob signs in;
 *   5. the server is Running, its output says "Discovered 3 tools", its actions offer
 *      "Disconnect Account (bob@…)". (Tool names show only in chat's tool picker, absent without Copilot.)
 *
 *   node --import tsx --test test/e2e/vscode-mcp-client.test.ts   (builds the VSIX with `npm run package`)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { AZURE_CLIENT_ID, VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { approveDeviceCodeOnLabPage, assertBrowserAddress, screenshotWithAddress } from './sign-in-page';
import { openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

/** SECURE_LABEL in src/extension/mcp/mcp-definition-provider.ts (that module imports `vscode`). */
const SECURE_LABEL = 'Sherpa secure server (OAuth 2.1)';

function dialog(page: Page, text: RegExp) {
  return page.locator('.monaco-dialog-box', { hasText: text });
}

function quickPickRow(page: Page, text: RegExp | string) {
  return page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
}

/** The secure server's row in MCP: List Servers (label + state, e.g. "… Stopped" / "… Running"). */
async function readServerRow(page: Page): Promise<string> {
  await runCommand(page, 'MCP: List Servers');
  const row = quickPickRow(page, SECURE_LABEL);
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  return row.innerText();
}

describe("VS Code's own MCP client signs in to the lab's secure server", { timeout: 180_000 }, () => {
  let workbench: Workbench;
  let page: Page;

  before(async () => {
    // VS Code's MCP client belongs to its AI features: with them disabled there is no MCP UI.
    // The browser is remote (only code-server's origin reachable), as in ui.test.ts.
    workbench = await openWorkbench({ 'chat.disableAIFeatures': false }, 'remote');
    page = workbench.page;
  });

  after(async () => {
    await workbench?.close();
  });

  test('Start Server → register client → Allow → device code as bob → Running with 3 tools', async () => {
    const bob = LAB_USERS.find((u) => u.username === 'bob');
    assert.ok(bob, 'lab user bob');
    await runCommand(page, 'Sherpa Lab: Start Local Lab');
    await page
      .locator('.statusbar-item', { hasText: /lab running/i })
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });

    // 1. MCP: List Servers → the secure server (offered by Sherpa's provider) → Start Server.
    assert.match(await readServerRow(page), /Stopped/);
    await quickPickRow(page, SECURE_LABEL).click();
    await quickPickRow(page, /^Start Server/).click();

    // 2. VS Code registers itself in the background: no "Dynamic Client Registration not supported".
    // 3. Consent to the MCP server definition authenticating.
    const consent = dialog(page, /wants to authenticate to Sherpa secure MCP server/);
    await consent.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(
      await dialog(page, /Dynamic Client Registration not supported/).count(),
      0,
      'the lab accepted the registration',
    );
    const firstTab = page.context().waitForEvent('page', { timeout: 30_000 });
    await consent.locator('.monaco-button', { hasText: /^Allow$/ }).click();

    // 4a. The vscode.dev-redirect flow with the registered client: the lab dropped that redirect URI at
    // registration, so it refuses it on its own page.
    const refused = await firstTab;
    await refused.waitForLoadState('domcontentloaded');
    assertBrowserAddress(workbench, refused.url(), "VS Code's authorization request");
    await screenshotWithAddress(refused, 'vscode-mcp-client-refused');
    const authorize = new URL(refused.url()).searchParams;
    assert.match(authorize.get('redirect_uri') ?? '', /^https:\/\/vscode\.dev\/redirect/);
    const clientId = authorize.get('client_id') ?? '';
    assert.ok(
      clientId && clientId !== AZURE_CLIENT_ID && clientId !== VSCODE_CLIENT_ID,
      `a dynamically registered client id, got "${clientId}"`,
    );
    assert.match(await refused.locator('body').innerText(), /invalid_redirect_uri/);
    await refused.close();
    // 4b. Cancel that attempt; VS Code offers the device code flow (RFC 8628) instead.
    await page.bringToFront();
    await runCommand(page, 'Notifications: Show Notifications');
    const center = page.locator('.notifications-center');
    await center
      .locator('.notification-list-item', { hasText: /Complete the authentication in the browser/ })
      .locator('.monaco-button', { hasText: /^Cancel$/ })
      .click({ timeout: 10_000 });
    await center
      .locator('.notification-list-item', { hasText: /try a different way\? \(Device Code\)/ })
      .locator('.monaco-button', { hasText: /^Yes$/ })
      .click({ timeout: 10_000 });
    const device = dialog(page, /Device Code Authentication/);
    await device.waitFor({ state: 'visible', timeout: 30_000 });
    const shown = await device.innerText();
    const code = /Your code: (\S+)/.exec(shown)?.[1];
    assert.ok(code, `a user code in: ${shown}`);
    await screenshot(page, 'vscode-mcp-client-device-code');
    const deviceTab = page.context().waitForEvent('page', { timeout: 30_000 });
    await device.locator('.monaco-button', { hasText: /Copy & Continue/ }).click();
    const tab = await deviceTab;
    // VS Code opened the lab's verification URI through code-server's forwarding (/proxy/PORT/): the
    // lab accepts that address because Sherpa registered it when it started the lab.
    await approveDeviceCodeOnLabPage(workbench, tab, bob, code, 'vscode-mcp-client-device');
    await tab.close();

    // 5. VS Code's MCP output says what it found; the server list says Running.
    await page.bringToFront();
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    await output.getByText('Discovered 3 tools').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await readServerRow(page), /Running/);
    // The server's actions name the account VS Code signed in with: bob, from the lab.
    await quickPickRow(page, SECURE_LABEL).click();
    const account = quickPickRow(page, /Disconnect Account/);
    await account.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await account.innerText(), new RegExp(`\\(${bob.username}@`));
    assert.equal(await quickPickRow(page, /^Stop Server/).isVisible(), true, 'a running server offers Stop');
    await screenshot(page, 'vscode-mcp-client');
  });
});
