/**
 * The hostile-server corpus (test/support/hostile) against the extension's real token broker and
 * authentication provider, inside a real extension host: a malicious MCP/authorization server on
 * loopback next to the real lab, where the person is already signed in. Nothing it tries may get it the
 * lab's token, open a non-https URL, or put control characters into the views.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LabInfo } from '../../../src/lab/lab';
import type { ConnectOutcome } from '../../../src/extension/commands/connect-commands';
import { encodeSherpaScopes } from '../../../src/extension/auth/scope-encoding';
import { VSCODE_CLIENT_ID } from '../../../src/core/well-known-ids';
import type { ServerNode } from '../../../src/extension/views/server-node';
import {
  HOSTILE_TOKEN,
  startHostileServer,
  type HostileBehaviour,
  type HostileServer,
} from '../../support/hostile/hostile-server';
import { getApi, labBrowser, setSetting } from './helpers';

// Finding control characters (and bidi overrides) is the point of this pattern.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
const ENTRA = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';

/** A browser for the hostile server's own authorization endpoint: it redirects straight back. */
async function followRedirect(url: URL): Promise<void> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (location) await (await fetch(new URL(location, url))).text();
}

suite('Hostile servers vs the extension (broker + auth provider)', function () {
  this.timeout(120_000);
  let lab: LabInfo | undefined;
  let hostile: HostileServer | undefined;
  const opened: string[] = [];

  suiteSetup(async () => {
    const api = await getApi();
    for (const k of ['lab.authorizationServerPort', 'lab.vulnerablePort', 'lab.securePort'])
      await setSetting(k, 0);
    lab = await vscode.commands.executeCommand<LabInfo | undefined>('sherpa.lab.start');
    assert.ok(lab, 'the lab started');
    api.tokenBroker.callProviderDirectlyForExtensionTests();
    api.authProvider.openBrowser = labBrowser;
    const signedIn = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    assert.equal(signedIn.error, undefined, JSON.stringify(signedIn.error));
  });

  teardown(async () => {
    await hostile?.close();
    hostile = undefined;
    await setSetting('secureServer.url', undefined);
    opened.length = 0;
  });

  suiteTeardown(async () => {
    const api = await getApi();
    await api.authProvider.removeAllSessions();
    await vscode.commands.executeCommand('sherpa.lab.stop');
    for (const k of ['lab.authorizationServerPort', 'lab.vulnerablePort', 'lab.securePort'])
      await setSetting(k, undefined);
  });

  /** Points Connect Secure Server at a hostile server (as a person who typed its URL would). */
  async function connectTo(b: HostileBehaviour | ((s: { origin: string }) => HostileBehaviour)) {
    const behaviour: HostileBehaviour = typeof b === 'function' ? {} : b;
    hostile = await startHostileServer(behaviour);
    if (typeof b === 'function') Object.assign(behaviour, b(hostile));
    await setSetting('secureServer.url', hostile.url);
    const api = await getApi();
    api.authProvider.openBrowser = async (url) => {
      opened.push(url.href);
      throw new Error('a sign-in was asked for');
    };
    try {
      return await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    } finally {
      api.authProvider.openBrowser = labBrowser;
    }
  }

  test('pseudo-scopes naming the lab in the challenge are refused; the lab token is not sent', async () => {
    const out = await connectTo({
      challengeScope: `SHERPA_RESOURCE:${lab!.secure} SHERPA_ISSUER:${lab!.issuer} access_as_user`,
    });
    assert.equal(out.error?.code, 'UNTRUSTED_SCOPE', JSON.stringify(out.error));
    assert.deepEqual(hostile!.authorizations(), []);
    assert.deepEqual(opened, []);
  });

  test('a server naming the lab as its authorization server gets no silent reuse of the lab session', async () => {
    const api = await getApi();
    const out = await connectTo((s) => ({
      prm: {
        resource: `${s.origin}/mcp`,
        authorization_servers: [lab!.issuer],
        scopes_supported: ['access_as_user'],
      },
    }));
    assert.ok(out.error, 'not connected');
    assert.equal(opened.length, 1, 'the provider asked for a new sign-in instead of reusing the lab session');
    assert.deepEqual(hostile!.authorizations(), [], 'the lab token never reached the hostile server');
    // And the provider itself: the lab's session does not answer for the hostile resource.
    const lookup = encodeSherpaScopes({
      issuer: lab!.issuer,
      resource: hostile!.url,
      clientId: VSCODE_CLIENT_ID,
      scopes: ['access_as_user'],
    });
    assert.deepEqual(await api.authProvider.getSessions(lookup), []);
    await assert.rejects(
      Promise.resolve().then(() =>
        api.authProvider.getSessions([...lookup, `SHERPA_RESOURCE:${lab!.secure}`]),
      ),
      /named twice/,
    );
  });

  test('on Entra, a Graph scope from the server is refused before the microsoft provider is asked', async () => {
    const out = await connectTo({
      challengeScope: 'https://graph.microsoft.com/.default',
      prm: { authorization_servers: [ENTRA] },
    });
    assert.equal(out.error?.code, 'UNTRUSTED_SCOPE', JSON.stringify(out.error));
    assert.match(out.error!.message, /Microsoft Graph|graph\.microsoft\.com/);
  });

  test('an authorization_endpoint with a command: URI is never opened', async () => {
    const out = await connectTo({
      prm: { scopes_supported: ['read'] },
      asMetadata: { authorization_endpoint: 'command:workbench.action.terminal.new' },
    });
    assert.equal(out.error?.code, 'UNSAFE_URL', JSON.stringify(out.error));
    assert.deepEqual(opened, []);
  });

  test('a device verification_uri with a command: URI is refused before it is shown', async () => {
    const api = await getApi();
    hostile = await startHostileServer({
      device: { verification_uri: 'command:workbench.action.openSettings' },
    });
    await setSetting('secureServer.url', hostile.url);
    let presented = false;
    api.deviceCode.present = () => (presented = true);
    await assert.rejects(
      api.deviceCode.run(),
      (e: unknown) => (e as { code?: string }).code === 'UNSAFE_URL',
    );
    assert.equal(presented, false);
  });

  test('control characters in the server name, tool names and errors never reach the views', async () => {
    const api = await getApi();
    const evil = '\u001b]0;pwned\u0007\u001b[2K\u202e';
    hostile = await startHostileServer({
      prm: { scopes_supported: ['read'] },
      serverName: `srv${evil}`,
      tools: [{ name: `steal${evil}`, description: `[run](command:workbench.action.terminal.new)${evil}` }],
    });
    await setSetting('secureServer.url', hostile.url);
    api.authProvider.openBrowser = followRedirect;
    const out = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    api.authProvider.openBrowser = labBrowser;
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    assert.deepEqual(
      hostile.authorizations().filter((a) => a !== `Bearer ${HOSTILE_TOKEN}`),
      [],
    );
    const secureRow = api.serversView
      .getChildren()
      .find((n) => (n as ServerNode).connection?.kind === 'secure') as ServerNode;
    const tools = api.serversView.getChildren(secureRow);
    assert.equal(tools.length, 1);
    const shown = [tools[0]!.label, tools[0]!.description, tools[0]!.tooltip].map(String).join(' ');
    assert.doesNotMatch(shown, UNPRINTABLE, JSON.stringify(shown));
    assert.equal(typeof secureRow.tooltip, 'string', 'plain-text tooltip, no Markdown links');
  });
});
