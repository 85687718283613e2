/**
 * End-to-end: VS Code's REAL built-in `microsoft` provider (MSAL inside code-server's
 * microsoft-authentication extension) signs in through the lab posing as Entra ID, offline.
 *
 * One lab for the file, `sherpa lab --entra --strict` (strict = Entra's rules), and one code-server whose
 * extension host reaches "login.microsoftonline.com" only through the lab's proxy (`http.proxy`; the lab
 * CA trusted with NODE_EXTRA_CA_CERTS and `http.systemCertificates: false`), and a browser whose requests
 * for login.microsoftonline.com and vscode.dev/redirect are answered locally (entra-routes.ts).
 *   a. Connect Secure Server → "wants to sign in using Microsoft" → Allow → the provider's protocol-handler
 *      flow: the authorize page (MSAL's PKCE request) in a tab → alice signs in → form_post to
 *      vscode.dev/redirect → code-server's /callback → the provider redeems the code through the proxy →
 *      the Token view shows Entra's claims (iss, tid, oid, scp, aud) and every check passed;
 *   b. a second secure server whose PRM resource is no identifier URI of the lab's API app (the app
 *      registration mistake) → Entra's refusal (AADSTS code) → Sherpa's notification explains it and names
 *      the `az ad app update --identifier-uris …` fix;
 *   c. VS Code's own MCP client (MCP: List Servers → Start Server) gets its token for the same secure server
 *      from the `microsoft` provider (account picker → alice's session from a.): Running, 3 tools;
 *   e. the workshop's PRM pair (resource = server URL, scopes_supported = api://{appId}/access_as_user):
 *      VS Code's MCP client sends both, and the strict lab answers AADSTS9010010 before sign-in, as Entra;
 *   f. Sherpa's "Audit Server Security" on that server: the Audit view shows entra.resource-scope failed,
 *      opened to its evidence (AADSTS9010010 with resource, the sign-in page without) and its remedy (register
 *      the server URL as an identifier URI; advertise {server URL}/access_as_user) — e2e-entra-audit-9010010.png;
 *   d. nothing left loopback: the browser's record (Playwright) and the proxy's.
 * What the vscode.dev stand-in does beyond vscode.dev: it puts back the `vscode-scheme`/`vscode-authority`
 * parameters that code-server's callback URI loses from `state` (entra-routes.ts, splitStateParameters) —
 * without that, code-server's /callback page throws "Missing scheme" and the provider waits 5 minutes.
 *
 *   node --import tsx --test test/e2e/entra-sign-in.test.ts     (builds the VSIX with `npm run package`)
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { startLabProcess, type LabProcess } from '../support/lab';
import type { EntraLabInfo } from '../../src/lab/lab';
import { secureServerEnv, startServerProcess, type ServerProcess } from '../support/server-process';
import { ENTRA_HOST, foreignRequests, routeEntraTraffic, type EntraRouting } from './entra-routes';
import { screenshotWithAddress } from './sign-in-page';
import { openWorkbench, runCommand, screenshot, type Workbench } from './workbench';
import {
  arrangeForTokenScreenshot,
  assertInView,
  clearNotifications,
  clickDialogButtons,
  focusChildRow,
  focusTreeRow,
  treeRows,
  waitForNotification,
  widenSidebar,
} from './workbench-ui';

const alice = LAB_USERS.find((u) => u.username === 'alice')!;
/** SECURE_LABEL in src/extension/mcp/mcp-definition-provider.ts (that module imports `vscode`). */
const SECURE_LABEL = 'Sherpa secure server (OAuth 2.1)';

function entraFields(lab: LabProcess): EntraLabInfo {
  assert.ok(lab.entra, `sherpa lab --entra printed no entra field: ${JSON.stringify(lab)}`);
  return lab.entra;
}

/**
 * Merges `settings` into code-server's user settings AND its remote ("Machine") settings on disk; VS Code
 * picks the change up. Sherpa's server URL is machine-scoped, and a remote window (code-server's is one)
 * may read machine-scoped values only from the remote settings.
 */
function updateSettings(root: string, settings: Record<string, unknown>): void {
  for (const scope of ['User', 'Machine']) {
    const dir = join(root, 'user', scope);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'settings.json');
    const current = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
      : {};
    writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2));
  }
}

/** The microsoft-authentication extension's own log (code-server's logs folder), for failure messages. */
function providerLog(workbench: Workbench): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/microsoft authentication|sherpa/i.test(e.name))
        found.push(`== ${e.name}\n${readFileSync(p, 'utf8').slice(-4000)}`);
    }
  };
  try {
    walk(join(workbench.server.root, 'user', 'logs'));
  } catch {
    // no logs yet
  }
  return found.join('\n');
}

/**
 * Points Sherpa (and its MCP server definition) at `url` and waits until the extension has read the change:
 * the Servers view's secure row names that URL.
 */
async function useSecureServer(workbench: Workbench, url: string): Promise<void> {
  updateSettings(workbench.server.root, { 'sherpa.secureServer.url': url });
  await runCommand(workbench.page, 'Sherpa: Focus on Servers View');
  await treeRows(workbench.page, 'Servers')
    .filter({ hasText: new URL(url).host })
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 });
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function quickPickRow(page: Page, text: RegExp | string) {
  return page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
}

function dialog(page: Page, text: RegExp) {
  return page.locator('.monaco-dialog-box', { hasText: text });
}

/**
 * After VS Code's consent modal: code-server's link protection may ask to open the sign-in page; the tab
 * opens at https://login.microsoftonline.com/{tid}/oauth2/v2.0/authorize (answered by the lab).
 */
async function openedSignInTab(page: Page, consent: ReturnType<typeof dialog>): Promise<Page> {
  const tabEvent = page.context().waitForEvent('page', { timeout: 60_000 });
  await consent.locator('.monaco-button', { hasText: /^Allow$/ }).click();
  let opened = false;
  const openLink = clickDialogButtons(page, ['Open'], () => opened);
  const tab = await tabEvent.finally(() => (opened = true));
  await openLink;
  await tab.waitForLoadState('domcontentloaded');
  return tab;
}

/** The lab's login form at login.microsoftonline.com → `user`; then the tab goes to code-server's /callback. */
async function signInAtEntra(tab: Page, user: typeof alice, name: string): Promise<void> {
  const form = tab.locator('input[name="username"]');
  await form.waitFor({ state: 'visible', timeout: 30_000 }).catch(async (e: Error) => {
    await screenshotWithAddress(tab, `failure-${name}`).catch(() => undefined);
    const body = await tab
      .locator('body')
      .innerText()
      .catch(() => '');
    throw new Error(`no login form at ${tab.url()}: ${body.slice(0, 500)} (${e.message})`);
  });
  assert.equal(new URL(tab.url()).host, ENTRA_HOST, `the sign-in page is at ${ENTRA_HOST}: ${tab.url()}`);
  await screenshotWithAddress(tab, name);
  await tab.fill('input[name="username"]', user.username);
  await tab.fill('input[name="password"]', user.password);
  await tab.getByRole('button', { name: /sign in/i }).click();
  await tab.waitForURL(/\/callback\?/, { timeout: 30_000 });
}

describe("VS Code's own microsoft sign-in against the lab posing as Entra ID", { timeout: 300_000 }, () => {
  let lab: LabProcess;
  let entra: EntraLabInfo;
  let workbench: Workbench;
  let page: Page;
  let routing: EntraRouting;
  let wrongPair: ServerProcess | undefined;
  let workshop: ServerProcess | undefined;

  before(async () => {
    lab = await startLabProcess({ strict: true, args: ['--entra'] });
    entra = entraFields(lab);
    const settings = {
      'sherpa.secureServer.url': lab.secure,
      // What Register Entra App records: the API app's client id, the `aud` of its v2 tokens.
      'sherpa.azure.apiClientId': entra.clientIds.api,
      // The extension host reaches login.microsoftonline.com through the lab's proxy only, trusting the
      // lab CA: with systemCertificates on, VS Code passes its own CA list and NODE_EXTRA_CA_CERTS is unused.
      'http.proxy': entra.proxyUrl,
      'http.proxySupport': 'override',
      'http.systemCertificates': false,
      // VS Code's MCP client (c) belongs to its AI features.
      'chat.disableAIFeatures': false,
    };
    workbench = await openWorkbench(settings, 'remote', {
      env: { NODE_EXTRA_CA_CERTS: entra.caPath },
      beforeOpen: async (context, server) => {
        updateSettings(server.root, settings);
        routing = await routeEntraTraffic(context, {
          labTlsPort: entra.tlsPort,
          caPem: readFileSync(entra.caPath, 'utf8'),
          codeServerOrigin: server.origin,
        });
        // See splitStateParameters: without this, code-server's /callback page gets no vscode-scheme.
        routing.repairSplitState = true;
      },
    });
    page = workbench.page;
  });

  afterEach(async (t) => {
    const failed = (t as unknown as { passed?: boolean }).passed === false;
    if (failed && page) {
      await screenshot(page, `failure-entra-${t.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(
        () => undefined,
      );
      const notes = await page
        .locator('.notification-list-item')
        .allInnerTexts()
        .catch(() => []);
      process.stderr.write(`--- notifications ---\n${notes.join('\n')}\n`);
      const notCodeServer = routing?.asked.filter((a) => !a.url.startsWith(workbench.server.origin));
      process.stderr.write(
        `--- browser requests (not code-server) ---\n${JSON.stringify(notCodeServer)}\nblocked: ${JSON.stringify(workbench.blocked)}\n`,
      );
      process.stderr.write(
        `--- microsoft provider log ---\n${providerLog(workbench)}\n--- lab ---\n${lab.logs().slice(-4000)}\n`,
      );
    }
  });

  after(async () => {
    await workbench?.close();
    await wrongPair?.stop();
    await workshop?.stop();
    await lab?.stop();
  });

  test("a. Connect Secure Server through the real microsoft provider: Entra's claims, every check passed", async () => {
    await runCommand(page, 'Sherpa Lab: Connect Secure Server');
    const consent = dialog(page, /wants to sign in using Microsoft/);
    await consent.waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'entra-consent');
    const tab = await openedSignInTab(page, consent);
    const authorize = routing.authorizeUrls.at(-1);
    assert.ok(authorize, 'the browser asked login.microsoftonline.com to authorize');
    // What MSAL asked for (the protocol-handler flow): PKCE, form_post to vscode.dev, VS Code's client.
    assert.equal(authorize.host, ENTRA_HOST);
    assert.equal(authorize.pathname.split('/')[1], entra.tenantId);
    const q = authorize.searchParams;
    assert.equal(q.get('client_id'), VSCODE_CLIENT_ID);
    assert.equal(q.get('redirect_uri'), 'https://vscode.dev/redirect');
    assert.equal(q.get('response_mode'), 'form_post');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.equal(q.get('resource'), null, 'Sherpa asks Entra without an RFC 8707 resource');
    assert.ok(
      q.getAll('scope').join(' ').includes(`${lab.secure}/access_as_user`),
      `scope ${q.get('scope')}`,
    );
    await signInAtEntra(tab, alice, 'entra-sign-in-alice');
    await tab.close().catch(() => undefined);
    await page.bringToFront();

    await runCommand(page, 'Sherpa: Focus on Servers View');
    const rows = treeRows(page, 'Token');
    await rows
      .filter({ hasText: /Checks/ })
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
    // Wide sidebar, other views folded: the claims fit under the checks (the tree renders what is in view).
    await arrangeForTokenScreenshot(page);
    const labels = (await rows.allInnerTexts()).join('\n');
    process.stdout.write(`# Token view:\n${labels.replace(/^/gm, '#   ')}\n`);
    assert.match(labels, /Checks\s*all passed/, labels);
    assert.match(
      labels,
      /secure server sign-in \(microsoft\)/,
      `the token came from the microsoft provider: ${labels}`,
    );
    assert.match(labels, new RegExp(`aud ${entra.clientIds.api} is this API`), labels);
    assert.match(
      labels,
      new RegExp(`iss https://${ENTRA_HOST}/${entra.tenantId}/v2\\.0 is the advertised`),
      labels,
    );
    // Entra's claims, by their labels in the Claims node.
    for (const claim of ['iss', 'tid', 'oid', 'scp', 'aud'])
      assert.match(labels, new RegExp(`\\(${claim}\\)`), `claim ${claim} in: ${labels}`);
    assert.match(labels, new RegExp(entra.tenantId), labels);
    assert.match(labels, new RegExp(alice.oid), labels);
    await screenshot(page, 'entra-token-view');
  });

  test('b. a PRM resource that is no identifier URI of the app: the AADSTS refusal, explained with the fix', async () => {
    wrongPair = await startServerProcess(
      'src/servers/secure/main.ts',
      secureServerEnv({ issuer: entra.issuer }, lab.dataDir, {
        HTTPS_PROXY: entra.proxyUrl,
        NODE_EXTRA_CA_CERTS: entra.caPath,
      }),
    );
    // The lab proxy reaches only the lab's own ports (issue 16): this server is the test's, so add it.
    assert.ok((await lab.control({ id: 101, proxyPort: Number(new URL(wrongPair.url).port) })).ok);
    await useSecureServer(workbench, wrongPair.url);
    await clearNotifications(page);
    await runCommand(page, 'Sherpa Lab: Connect Secure Server');
    const consent = dialog(page, /wants to sign in using Microsoft/);
    await consent.waitFor({ state: 'visible', timeout: 60_000 });
    const tab = await openedSignInTab(page, consent);
    await tab.waitForLoadState('domcontentloaded');
    await screenshotWithAddress(tab, 'entra-wrong-pair-browser');
    await tab.close().catch(() => undefined);
    await page.bringToFront();
    const notice = await waitForNotification(page, /Entra ID refused the sign-in/);
    const text = await notice.innerText();
    assert.match(text, /AADSTS\d+/);
    assert.match(text, new RegExp(`identifier URI ${wrongPair.url.replace(/[./]/g, '\\$&')}`));
    assert.match(text, /az ad app update --id/);
    await screenshot(page, 'entra-aadsts-explained');
  });

  test("c. VS Code's own MCP client gets its token from the microsoft provider: Running with 3 tools", async () => {
    await useSecureServer(workbench, lab.secure);
    await clearNotifications(page);
    const tabsBefore = routing.authorizeUrls.length;
    await runCommand(page, 'MCP: List Servers');
    await quickPickRow(page, SECURE_LABEL).click();
    await quickPickRow(page, /^Start Server/).click();
    // VS Code picks the `microsoft` provider for this PRM's authorization server (its authorizationServerGlobs
    // match login.microsoftonline.com). The provider already holds alice's session for this scope (from a.),
    // so VS Code may ask to allow it — or nothing at all; a sign-in tab, if one opens, is alice's again.
    let running = false;
    const allow = clickDialogButtons(page, ['Allow'], () => running);
    // "The MCP server '…' wants to access a Microsoft account": the account picker, alice's account.
    const picker = page.locator('.quick-input-widget', { hasText: /wants to access a Microsoft account/ });
    const pick = picker
      .locator('.monaco-list-row', { hasText: alice.email })
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 })
      .then(async () => {
        await screenshot(page, 'entra-mcp-client-account');
        await picker.locator('.monaco-list-row', { hasText: alice.email }).first().click();
      })
      .catch(() => undefined);
    // A sign-in tab, if VS Code opens one during this step (and only then), is alice's.
    const onTab = (tab: Page) =>
      void (async () => {
        await tab.waitForLoadState('domcontentloaded');
        if (
          await tab
            .locator('input[name="username"]')
            .isVisible()
            .catch(() => false)
        )
          await signInAtEntra(tab, alice, 'entra-mcp-client-sign-in');
        await tab.close().catch(() => undefined);
      })().catch(() => undefined);
    page.context().on('page', onTab);
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    await output
      .getByText('Discovered 3 tools')
      .waitFor({ state: 'visible', timeout: 90_000 })
      .finally(() => {
        running = true;
        page.context().off('page', onTab);
      });
    await allow;
    await pick;
    await page.bringToFront();
    await screenshot(page, 'entra-mcp-client');
    // The MCP client's own request to the provider: the PRM's scope, no VSCODE_* pseudo-scopes (those are
    // Sherpa's), the tenant taken from the authorization server's path.
    const log = providerLog(workbench);
    assert.match(
      log,
      new RegExp(`\\[getSessions\\] \\[${escapeRe(lab.secure)}/access_as_user\\] returned 1 session`),
      `the MCP client asked the microsoft provider for ${lab.secure}/access_as_user:\n${log}`,
    );
    const interactive = routing.authorizeUrls.length > tabsBefore;
    process.stdout.write(
      `# MCP client: ${interactive ? 'signed in interactively' : "used the provider's session silently"}\n`,
    );
    // The secure server accepted the token VS Code's MCP client sent (it logs every rejection).
    assert.doesNotMatch(
      lab.logs().split('secure MCP server listening').pop() ?? '',
      /invalid_token|insufficient_scope/,
    );
  });

  test("e. the workshop's PRM pair (resource = server URL, scope api://…): VS Code's MCP client meets AADSTS9010010", async () => {
    workshop = await startServerProcess(
      'src/servers/secure/main.ts',
      secureServerEnv({ issuer: entra.issuer }, lab.dataDir, {
        HTTPS_PROXY: entra.proxyUrl,
        NODE_EXTRA_CA_CERTS: entra.caPath,
        SHERPA_SCOPES_SUPPORTED: `api://${entra.clientIds.api}/access_as_user`,
      }),
    );
    // The lab proxy reaches only the lab's own ports (issue 16): this server is the test's, so add it.
    assert.ok((await lab.control({ id: 102, proxyPort: Number(new URL(workshop.url).port) })).ok);
    await useSecureServer(workbench, workshop.url);
    await clearNotifications(page);
    const before = routing.authorizeUrls.length;
    await runCommand(page, 'MCP: List Servers');
    await quickPickRow(page, SECURE_LABEL).click();
    await quickPickRow(page, /^(Start|Restart) Server/).click();
    let done = false;
    const allow = clickDialogButtons(page, ['Allow', 'Open'], () => done);
    const picker = page.locator('.quick-input-widget', { hasText: /wants to access a Microsoft account/ });
    const tab = page.context().waitForEvent('page', { timeout: 60_000 });
    void picker
      .locator('.monaco-list-row', { hasText: /Sign in to another account/ })
      .first()
      .click({ timeout: 30_000 })
      .catch(() => undefined);
    const opened = await tab.finally(() => (done = true));
    await allow;
    await opened.waitForLoadState('domcontentloaded');
    const authorize = routing.authorizeUrls.at(-1);
    assert.ok(authorize && routing.authorizeUrls.length > before, 'an authorize request');
    // Unlike Sherpa, VS Code's MCP client sends RFC 8707 resource = the PRM's resource (MSAL passes it on).
    assert.equal(authorize.searchParams.get('resource'), workshop.url);
    assert.match(
      authorize.searchParams.get('scope') ?? '',
      new RegExp(`^api://${entra.clientIds.api}/access_as_user `),
    );
    const body = await opened.locator('body').innerText();
    await screenshotWithAddress(opened, 'entra-mcp-client-9010010');
    assert.match(body, /AADSTS9010010/);
  });

  test("f. Sherpa's audit of the workshop's pair: entra.resource-scope failed with AADSTS9010010 and the app-registration fix", async () => {
    assert.ok(workshop, 'e. started the workshop-pair server');
    await page.bringToFront();
    await clearNotifications(page);
    await runCommand(page, 'Sherpa: Audit an MCP Server…');
    // The quick pick lists the Servers view's secure row, which now points at the workshop-pair server.
    const target = quickPickRow(page, workshop.url);
    await target.waitFor({ state: 'visible', timeout: 15_000 });
    await target.click();
    const rows = treeRows(page, 'Audit');
    const check = rows.filter({ hasText: /Entra accepts the PRM resource together with its scope/ }).first();
    // The report's MCP07 group (it has a failure) opens by itself; the check may be below the fold.
    await rows.filter({ hasText: /MCP07/ }).first().waitFor({ state: 'visible', timeout: 90_000 });
    for (const title of ['Servers', 'Token', 'Deployment Checks']) {
      const header = page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}\\b`) }).first();
      if ((await header.count()) && (await header.getAttribute('aria-expanded')) === 'true')
        await header.click();
    }
    // The tree renders only the rows in view: move to the check with the arrow keys, as a person would;
    // the tree itself reveals the row it focuses (no scrolling by guessed distances).
    const found = await focusTreeRow(page, 'Audit', /Entra accepts the PRM resource together with its scope/);
    const checkText = await check.innerText();
    process.stdout.write(`# entra.resource-scope: ${checkText.replace(/\n/g, ' ')}\n`);
    assert.match(checkText, /AADSTS9010010/, checkText);
    assert.equal(
      await check.locator('.codicon-error').count(),
      1,
      `entra.resource-scope shows the failed icon: ${checkText}`,
    );
    // Open it (Right arrow) and go down its lines to the last one (Spec): Remedy and the evidence above it
    // are in view too (7 short rows).
    await focusChildRow(page, 'Audit', found, /^Spec/);
    const remedy = rows.filter({ hasText: /^Remedy/ }).first();
    const evidence = rows.filter({ hasText: /AADSTS9010010/ }).filter({ hasText: /authorization_endpoint/ });
    await rows.filter({ hasText: /^Spec/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
    const remedyText = await remedy.innerText();
    assert.match(remedyText, /identifier URI of the API app/, remedyText);
    assert.match(remedyText, /access_as_user/, remedyText);
    const evidenceText = (await evidence.allInnerTexts()).join('\n');
    process.stdout.write(`# evidence:\n${evidenceText.replace(/^/gm, '#   ')}\n`);
    assert.match(evidenceText, /AADSTS9010010/, evidenceText);
    assert.match(checkText, new RegExp(`resource=${escapeRe(workshop.url)}`), checkText);
    await clearNotifications(page).catch(() => undefined);
    // Room to read the evidence's answer and the remedy: no panel, the sidebar across the window.
    await runCommand(page, 'View: Hide Panel');
    const width = await widenSidebar(page, (page.viewportSize()?.width ?? 1400) - 60);
    assert.ok(width > 1100, `the sidebar is wide enough to read the remedy (${width} px)`);
    await page.mouse.move(5, 5);
    await assertInView(page, remedy, 'Remedy');
    await assertInView(page, evidence.first(), 'AADSTS9010010 evidence');
    await screenshot(page, 'entra-audit-9010010');
  });

  test('d. nothing left loopback: the browser and the extension host asked only for loopback and hosts answered here', () => {
    // code-server's extension gallery (open-vsx.org) is asked for in the background by the workbench and
    // the extension host; both are refused here (the browser's route, the lab proxy's 403) before any lookup.
    const gallery = /^(https:\/\/)?open-vsx\.org(:443)?(\/|$)/;
    const hosts = new Map<string, string>();
    for (const a of routing.asked) hosts.set(new URL(a.url).host, a.answeredBy);
    process.stdout.write(`# browser hosts: ${JSON.stringify(Object.fromEntries(hosts))}\n`);
    assert.deepEqual(
      foreignRequests(routing).filter((a) => !gallery.test(a.url)),
      [],
      'requests the browser wanted to send elsewhere',
    );
    assert.equal(hosts.get(ENTRA_HOST), 'lab', 'login.microsoftonline.com was answered by the lab');
    assert.equal(hosts.get('vscode.dev'), 'vscode.dev stand-in', 'vscode.dev/redirect was answered here');
    for (const [host, by] of hosts) {
      assert.ok(
        by !== 'loopback' || /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(host),
        `${host} counted as loopback`,
      );
    }
    // The extension host's side: the lab proxy logs every refusal (nothing else was tunnelled anywhere but
    // the lab's TLS port and loopback — it has no other route).
    const refused = [...lab.logs().matchAll(/proxy refused \{"target":"([^"]*)"\}/g)].map((m) => m[1]!);
    process.stdout.write(`# proxy refused: ${JSON.stringify(refused)}\n`);
    assert.deepEqual(
      refused.filter((t) => !gallery.test(t)),
      [],
      'the extension host asked the proxy for no other host',
    );
  });
});
