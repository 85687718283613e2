/**
 * Against the real lab started by the extension itself (dist/sherpa.mjs with the host's Node, ports 0):
 * Connect Secure Server through Sherpa's auth provider with the lab's login form as the "browser",
 * the Token view's items, running a tool, the vulnerable server, validation, device code, sign-out.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LabInfo } from '../../../src/lab/lab';
import { LAB_API_CLIENT_ID, LAB_TENANT_ID } from '../../../src/servers/shared/lab-defaults';
import { approveDeviceCode, driveLogin } from '../../support/drive-login';
import type { DeviceCodeLogin } from '../../../src/core/grants/device-code';
import type { ConnectOutcome } from '../../../src/extension/commands/connect-commands';
import type { AuditReport } from '../../../src/core/audit/findings';
import type { CheckNode } from '../../../src/extension/views/check-node';
import type { ClaimNode } from '../../../src/extension/views/claim-node';
import type { SectionNode } from '../../../src/extension/views/section-node';
import type { ServerNode } from '../../../src/extension/views/server-node';
import { SECURE_SERVER_ID, VULNERABLE_SERVER_ID } from '../../../src/extension/connect/server-target';
import { alice, getApi, labBrowser, setSetting } from './helpers';

/** Rejects with what was awaited if `promise` takes longer than `ms` (a hang becomes a clear failure). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function section(api: Awaited<ReturnType<typeof getApi>>, label: string): SectionNode {
  const found = api.tokenView.getChildren().find((n) => n.label === label);
  assert.ok(found, `Token view has a "${label}" section`);
  return found as SectionNode;
}

suite('Local lab: sign-in, token view, tools, sign-out', function () {
  this.timeout(120_000);
  let lab: LabInfo | undefined;
  let restoreHooks: (() => void) | undefined;

  suiteSetup(async () => {
    const api = await getApi();
    await setSetting('lab.authorizationServerPort', 0);
    await setSetting('lab.vulnerablePort', 0);
    await setSetting('lab.securePort', 0);
    lab = await vscode.commands.executeCommand<LabInfo | undefined>('sherpa.lab.start');
    assert.ok(lab, 'the lab started');
    restoreHooks = api.setTestHooks({ openBrowser: labBrowser });
  });

  suiteTeardown(async () => {
    const api = await getApi();
    restoreHooks?.();
    await vscode.commands.executeCommand('sherpa.lab.stop');
    assert.equal(api.lab.state, 'stopped');
    for (const k of ['lab.authorizationServerPort', 'lab.vulnerablePort', 'lab.securePort'])
      await setSetting(k, undefined);
  });

  test('the lab runs and the endpoints follow its ports', async () => {
    const api = await getApi();
    assert.equal(api.lab.state, 'running');
    assert.match(lab!.issuer, new RegExp(`/${LAB_TENANT_ID}/v2\\.0$`));
    assert.equal(api.connections.get(SECURE_SERVER_ID).url, lab!.secure);
    assert.equal(api.connections.get(VULNERABLE_SERVER_ID).url, lab!.vulnerable);
  });

  test('Connect Secure Server asks VS Code for the session (getSession → consent modal)', async () => {
    const api = await getApi();
    // The production path: vscode.authentication.getSession('sherpa-oauth', …, { createIfNone }). VS Code
    // shows its "wants to sign in" modal first — and in an extension test host its DialogService refuses
    // every dialog, so the request fails there before any sign-in. That refusal is the proof the path is
    // taken; the e2e test (test/e2e/ui.test.ts) clicks Allow on the same modal in a real workbench.
    const outcome = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    assert.ok(outcome.error, 'no session without the consent modal');
    assert.match(outcome.error.message, /dialog|consent/i, JSON.stringify(outcome.error));
    assert.match(outcome.error.message, /Sherpa/, 'the modal names the provider');
    assert.equal((await api.authProvider.getSessions(undefined)).length, 0, 'no sign-in happened');
    // From here on the suite uses the test hooks' provider-directly strategy (restored in suiteTeardown).
    api.setTestHooks({ callProviderDirectly: true });
  });

  test('Connect Secure Server signs in through sherpa-oauth and lists tools', async () => {
    const api = await getApi();
    const outcome = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
    assert.equal(outcome.connection.status, 'connected');
    const tools = outcome.connection.tools.map((t) => t.name);
    assert.ok(tools.includes('whoami'), `tools: ${tools.join(', ')}`);
    const sessions = await api.authProvider.getSessions(undefined);
    assert.equal(sessions.length, 1, 'one session, kept in SecretStorage');
    assert.match(sessions[0]!.account.label, /alice/);
    assert.ok(
      sessions[0]!.scopes.some((s) => s === `SHERPA_ISSUER:${lab!.issuer}`),
      'session keyed by issuer',
    );
    assert.match(api.statusBar.text, /secure · token expires in/);
  });

  test('the Token view shows aud, scp and passing checks', async () => {
    const api = await getApi();
    const claims = section(api, 'Claims').children as ClaimNode[];
    const aud = claims.find((c) => c.line.name === 'aud');
    assert.equal(aud?.description, LAB_API_CLIENT_ID);
    const scp = claims.find((c) => c.line.name === 'scp');
    assert.match(String(scp?.description), /access_as_user/);
    const exp = claims.find((c) => c.line.name === 'exp');
    assert.match(String(exp?.description), /\(expires in \d+ (min|h)\)/);
    const checks = section(api, 'Checks').children as CheckNode[];
    const byId = Object.fromEntries(checks.map((c) => [c.check.id, c.check.status]));
    for (const id of ['audience', 'issuer', 'expiry', 'scope', 'algorithm', 'tenant']) {
      assert.equal(byId[id], 'pass', `check ${id}: ${checks.find((c) => c.check.id === id)?.check.detail}`);
    }
    assert.equal((checks[0]!.iconPath as vscode.ThemeIcon).id, 'pass');
  });

  test("the Token view's first row says who signed in; a claim row's Copy Value copies the claim as carried", async () => {
    const api = await getApi();
    const first = api.tokenView.getChildren()[0]!;
    assert.match(String(first.label), /^Signed in as alice@sherpa-lab\.test — /);
    assert.equal(first.description, 'Alice Admin');
    const aud = (section(api, 'Claims').children as ClaimNode[]).find((c) => c.line.name === 'aud')!;
    assert.match(String(aud.tooltip), new RegExp(`^Audience \\(aud\\): ${LAB_API_CLIENT_ID}$`));
    assert.equal(await vscode.commands.executeCommand('sherpa.copyClaimValue', aud), LAB_API_CLIENT_ID);
    assert.equal(await vscode.env.clipboard.readText(), LAB_API_CLIENT_ID);
  });

  test('runs a secure tool with arguments', async () => {
    const result = await vscode.commands.executeCommand<{
      isError?: boolean;
      content: { type: string; text?: string }[];
    }>('sherpa.runTool', { server: SECURE_SERVER_ID, name: 'whoami' }, {});
    assert.ok(result && !result.isError);
    assert.match(result.content.map((c) => c.text ?? '').join(''), new RegExp(alice.oid));
  });

  test('the tool result opens read-only (a sherpa-result document, never an untitled one to save)', async () => {
    await vscode.commands.executeCommand('sherpa.runTool', { server: SECURE_SERVER_ID, name: 'whoami' }, {});
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc, 'an editor shows the result');
    assert.equal(doc.uri.scheme, 'sherpa-result');
    assert.equal(doc.isUntitled, false);
    assert.equal(doc.languageId, 'markdown');
    assert.match(doc.getText(), /# whoami \(secure server\)/);
    // Typing into it is refused by the editor (read-only): the e2e test tries that as a person would.
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('arguments that break the tool input schema are refused before anything is sent', async () => {
    for (const args of [{ user_id: 1 }, {}, { user_id: 'user_001', extra: true }]) {
      const result = await vscode.commands.executeCommand(
        'sherpa.runTool',
        { server: SECURE_SERVER_ID, name: 'get_user_info' },
        args,
      );
      assert.equal(result, undefined, JSON.stringify(args));
    }
    const ok = await vscode.commands.executeCommand<{ isError?: boolean }>(
      'sherpa.runTool',
      { server: SECURE_SERVER_ID, name: 'get_user_info' },
      { user_id: 'user_001' },
    );
    assert.ok(ok && !ok.isError, "alice's own record");
  });

  test('after connecting, the server row opens to show its tools', async () => {
    const api = await getApi();
    const secure = api.serversView
      .getChildren()
      .find((n) => (n as ServerNode).connection?.id === SECURE_SERVER_ID)!;
    assert.equal(secure.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    assert.match(String(secure.id), /:tools$/, 'a new id once tools arrived, so VS Code opens the row');
  });

  test('a rejected token gets one silent re-auth (refresh or re-login)', async () => {
    const api = await getApi();
    const before = api.tokenState.current!.accessToken;
    await api.authProvider.invalidateToken(before);
    const outcome = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    assert.equal(outcome.connection.status, 'connected', JSON.stringify(outcome.error));
    assert.notEqual(
      api.tokenState.current!.accessToken,
      before,
      'a new access token replaced the invalidated one',
    );
  });

  test('Connect Vulnerable Server works with the static token (that is the lesson)', async () => {
    const outcome = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectVulnerable');
    assert.equal(outcome.connection.status, 'connected', JSON.stringify(outcome.error));
    assert.ok(outcome.connection.tools.some((t) => t.name === 'get_user_info'));
  });

  test('Audit Both Lab Servers audits both servers: static token flagged, secure server passes every MUST', async () => {
    const api = await getApi();
    const reports = await vscode.commands.executeCommand<AuditReport[]>('sherpa.validateSecurity');
    assert.equal(reports.length, 2);
    const [vulnerable, secure] = reports as [AuditReport, AuditReport];
    const status = (r: AuditReport, id: string) => r.findings.find((f) => f.id === id)?.status;
    assert.equal(status(vulnerable, 'static.shared-token'), 'fail');
    assert.equal(status(vulnerable, 'prm.found'), 'fail');
    // The Token view holds alice's token for the secure server: the token matrix ran with it.
    assert.equal(status(secure, 'token.baseline'), 'pass');
    assert.equal(status(secure, 'token.tampered'), 'pass');
    assert.deepEqual(
      secure.findings.filter((f) => f.status === 'fail' && f.level === 'must').map((f) => f.id),
      [],
    );
    // Both reports are in the Audit view, grouped by OWASP item.
    const roots = api.auditView.getChildren();
    assert.deepEqual(roots.map((n) => n.label).sort(), [lab!.secure, lab!.vulnerable].sort());
    const groups = api.auditView.getChildren(roots.find((n) => n.label === lab!.vulnerable));
    assert.ok(
      groups.some((g) => String(g.label).startsWith('MCP01')),
      groups.map((g) => g.label).join(),
    );
  });

  test('device code sign-in with the Azure CLI client id feeds the Token view', async () => {
    const api = await getApi();
    let restore: (() => void) | undefined;
    // Promise ordering, not polling: the code is approved only once Sherpa has presented it, and a flow
    // that ends early (an error before presenting) fails the test at once instead of running into the
    // suite timeout. Every later wait is bounded and names what it was waiting for.
    const presented = new Promise<DeviceCodeLogin>((resolve) => {
      restore = api.setTestHooks({ presentDeviceCode: (login) => resolve(login) });
    });
    try {
      const ran = Promise.resolve(vscode.commands.executeCommand<boolean>('sherpa.deviceCode'));
      const login = await Promise.race([
        presented,
        ran.then((ok) =>
          Promise.reject(new Error(`sherpa.deviceCode ended (${ok}) before presenting a code`)),
        ),
      ]);
      const page = await within(
        approveDeviceCode(login.verificationUriComplete ?? login.verificationUri, {
          username: alice.username,
          password: alice.password,
        }),
        30_000,
        'approving the device code on the lab pages',
      );
      assert.match(page, /Signed in|success|close/i, 'the lab approved the device code');
      // The poller asks every `interval` s (RFC 8628 §3.5, 5 s here): at most two intervals after approval.
      assert.equal(await within(ran, 30_000, 'the token after approval'), true);
    } finally {
      restore?.();
    }
    assert.match(api.tokenState.current!.source, /device code/);
    const claims = section(api, 'Claims').children as ClaimNode[];
    assert.equal(
      claims.find((c) => c.line.name === 'azp')?.description ??
        claims.find((c) => c.line.name === 'client_id')?.description,
      '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    );
  });

  test('sign-out deletes the session from SecretStorage', async () => {
    const api = await getApi();
    const removed = await vscode.commands.executeCommand<number>('sherpa.signOut');
    assert.ok(removed >= 1);
    assert.equal((await api.authProvider.getSessions(undefined)).length, 0);
    assert.equal(api.tokenState.current, undefined);
    assert.equal(api.connections.get(SECURE_SERVER_ID).status, 'disconnected');
  });

  test('a person who takes 60 s (30 s on the consent dialog, 30 s on the login page) still connects', async function () {
    // Issue 20: the 15 s MCP request timeout used to run while the person read the dialog and typed.
    this.timeout(180_000);
    const api = await getApi();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const held = { consent: false, loginPage: false };
    const restore = api.setTestHooks({
      consent: async () => {
        await sleep(30_000);
        held.consent = true;
      },
      openBrowser: async (url) => {
        const pace = {
          beforeTyping: async () => {
            await sleep(30_000);
            held.loginPage = true;
          },
        };
        const callback = await driveLogin(url, alice, undefined, pace);
        await (await fetch(callback)).text();
      },
    });
    try {
      const outcome = await within(
        Promise.resolve(vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure')),
        150_000,
        'the connect at a person’s pace',
      );
      assert.deepEqual(held, { consent: true, loginPage: true }, 'the person took their time');
      assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
      assert.equal(outcome.connection.status, 'connected');
      assert.ok(outcome.connection.tools.some((t) => t.name === 'whoami'));
    } finally {
      restore();
      // The next test needs a sign-in, not this session.
      await vscode.commands.executeCommand('sherpa.signOut');
    }
  });

  test("in this remote host the redirect URI is the receiver's forwarded address; a browser that never comes back ends in LOGIN_TIMEOUT", async () => {
    const api = await getApi();
    // code-server: the extension host is remote, so Sherpa treats the browser as remote.
    assert.ok(vscode.env.remoteName, 'code-server runs extensions in a remote host');
    assert.equal(api.browser.isRemote, true);
    let opened: URL | undefined;
    const restore = api.setTestHooks({
      openBrowser: async (url) => {
        opened = url; // a browser that shows the page and never comes back
      },
      signInTimeoutMs: 1500,
    });
    try {
      const outcome = await within(
        Promise.resolve(vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure')),
        30_000,
        'the timed-out connect',
      );
      assert.equal(outcome.error?.code, 'LOGIN_TIMEOUT', JSON.stringify(outcome.error));
      const redirect = new URL(opened!.searchParams.get('redirect_uri')!);
      assert.match(redirect.pathname, /^\/proxy\/\d+\/callback$/, `forwarded receiver: ${redirect.href}`);
      assert.notEqual(redirect.port, new URL(lab!.authorizationServer).port);
    } finally {
      restore();
    }
  });
});
