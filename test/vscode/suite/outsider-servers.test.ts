/**
 * "Sherpa: Connect to MCP Server…" against a server nobody here wrote (issue 17 §3): the official
 * TypeScript SDK v2 server (test/interop/sdk-server-v2/server.mjs — `requireBearerAuth` + Protected Resource
 * Metadata, as its Express adapter documents), started by run-code-server.ts trusting a `sherpa lab` of its
 * own. The extension adds it by URL, signs alice in on that lab's login page, lists its tools and calls
 * `whoami`, whose answer comes from the claims the SDK's verifier passed through.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ConnectOutcome } from '../../../src/extension/commands/connect-commands';
import { LAB_API_APP_ID_URI } from '../../../src/servers/shared/lab-defaults';
import { alice, getApi, labBrowser, setSetting } from './helpers';
import { outsiderFromEnv, type OutsiderServerInfo } from './outsider-info';

const TRUST_SETTING = 'entra.trustedApiIdentifiersByServer';
const BROWSER_SETTING = 'signIn.browser';

suite('Outsider servers: Connect to MCP Server…', function () {
  this.timeout(120_000);
  let outsider: OutsiderServerInfo;
  let restoreHooks: (() => void) | undefined;
  let outcome: ConnectOutcome | undefined;

  suiteSetup(async () => {
    outsider = outsiderFromEnv();
    const api = await getApi();
    // The provider is called directly (VS Code's consent modal cannot be clicked in a test host; the e2e
    // clicks it) and the lab's login form is the "browser", signing in as alice.
    restoreHooks = api.setTestHooks({ callProviderDirectly: true, openBrowser: labBrowser });
  });

  suiteTeardown(async () => {
    const api = await getApi();
    restoreHooks?.();
    if (outcome) await vscode.commands.executeCommand('sherpa.removeServer', outcome.connection.id);
    await api.authProvider.removeAllSessions();
    await setSetting(TRUST_SETTING, undefined);
    await setSetting(BROWSER_SETTING, undefined);
  });

  test('TypeScript SDK v2 server: added by URL; with a forwarded redirect its lab refuses at once, saying why', async () => {
    // Like `sherpa connect --trust-api`: the server's PRM names the lab's scope by the API's App ID URI
    // (api://…), which the person trusts for exactly this server.
    await setSetting(TRUST_SETTING, { [outsider.mcpUrl]: [LAB_API_APP_ID_URI] });
    // code-server is VS Code in a browser: by default ("auto") the browser counts as remote and gets VS
    // Code's forwarded address of the loopback receiver as redirect URI. Only the lab the extension started
    // is told about forwarded addresses; this lab (not Sherpa's child) knows loopback redirect URIs only.
    outcome = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectServer', outsider.mcpUrl);
    assert.equal(outcome.connection.url, outsider.mcpUrl);
    assert.equal(outcome.connection.added, true, 'added next to the configured servers');
    assert.equal(outcome.error?.code, 'AUTHORIZATION_DENIED', JSON.stringify(outcome.error));
    assert.match(
      outcome.error.message,
      /refused the sign-in request .*invalid_redirect_uri.* before any sign-in page/,
    );
    assert.match(outcome.error.hint ?? '', /sherpa\.signIn\.browser to "sameMachine"/);
    assert.match(outcome.error.hint ?? '', /this VS Code window is remote|VS Code runs in a browser/);
  });

  test('TypeScript SDK v2 server: browser on this machine — alice signs in on its lab, its tools are listed', async () => {
    const api = await getApi();
    assert.ok(outcome?.connection, 'added by the test before');
    // The test's "browser" (labBrowser) runs on this machine, as a person's does with code-server on
    // localhost: the setting for that case. Connect again from the server's row (its id).
    await setSetting(BROWSER_SETTING, 'sameMachine');
    assert.equal(api.browser.isRemote, false, 'the browser now counts as on this machine');
    outcome = await vscode.commands.executeCommand<ConnectOutcome>(
      'sherpa.connectServer',
      outcome.connection.id,
    );
    assert.equal(
      outcome.error,
      undefined,
      `${outsider.label} (${outsider.packageVersion}): ${JSON.stringify(outcome.error)}\n${Buffer.from(
        await vscode.workspace.fs.readFile(api.logFile),
      )
        .toString()
        .slice(-3000)}`,
    );
    assert.equal(outcome.connection.status, 'connected');
    assert.equal(outcome.connection.serverName, 'sdk-v2-interop', 'the name from its initialize result');
    assert.deepEqual(
      outcome.connection.tools.map((t) => t.name),
      ['whoami'],
    );
    const sessions = await api.authProvider.getSessions(undefined);
    const mine = sessions.filter((s) => s.scopes.includes(`SHERPA_ISSUER:${outsider.issuer}`));
    assert.equal(
      mine.length,
      1,
      `one session at the outsider's lab: ${JSON.stringify(sessions.map((s) => s.scopes))}`,
    );
    assert.match(mine[0]!.account.label, /alice/);
  });

  test('TypeScript SDK v2 server: whoami, called through the extension, answers alice', async () => {
    assert.ok(outcome?.connection, 'connected by the test before');
    const result = await vscode.commands.executeCommand<{
      isError?: boolean;
      content: { type: string; text?: string }[];
    }>('sherpa.runTool', { server: outcome.connection.id, name: 'whoami' }, {});
    assert.ok(result && !result.isError, JSON.stringify(result));
    const me = JSON.parse(result.content.map((c) => c.text ?? '').join('')) as Record<string, string>;
    assert.equal(me.oid, alice.oid, JSON.stringify(me));
    assert.equal(me.name, alice.name);
    assert.match(me.scp ?? '', /access_as_user/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
