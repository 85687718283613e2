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
import type { ServerTokenNode } from '../../../src/extension/views/server-token-node';
import { LAB_SECURE_SERVER_ID, SECURE_SERVER_ID } from '../../../src/extension/connect/server-target';
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
  let restoreHooks: (() => void) | undefined;

  suiteSetup(async () => {
    const api = await getApi();
    for (const k of ['lab.authorizationServerPort', 'lab.vulnerablePort', 'lab.securePort'])
      await setSetting(k, 0);
    lab = await vscode.commands.executeCommand<LabInfo | undefined>('sherpa.lab.start');
    assert.ok(lab, 'the lab started');
    restoreHooks = api.setTestHooks({ callProviderDirectly: true, openBrowser: labBrowser });
    const signedIn = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    assert.equal(signedIn.error, undefined, JSON.stringify(signedIn.error));
  });

  teardown(async () => {
    await hostile?.close();
    hostile = undefined;
    await setSetting('secureServer.url', undefined);
    await setSetting('auth.clientIds', undefined);
    opened.length = 0;
  });

  suiteTeardown(async () => {
    const api = await getApi();
    restoreHooks?.();
    await api.authProvider.removeAllSessions();
    await vscode.commands.executeCommand('sherpa.lab.stop');
    for (const k of ['lab.authorizationServerPort', 'lab.vulnerablePort', 'lab.securePort'])
      await setSetting(k, undefined);
  });

  /**
   * The stand-in's authorization server offers no registration: as its person would, the test configures
   * a client id for its issuer (sherpa.auth.clientIds). VS Code's id goes only to Entra and the lab.
   */
  async function clientIdFor(h: HostileServer): Promise<void> {
    await setSetting('auth.clientIds', { [h.issuer]: 'hostile-stand-in-client' });
  }

  /** Points Connect Secure Server at a hostile server (as a person who typed its URL would). */
  async function connectTo(b: HostileBehaviour | ((s: { origin: string }) => HostileBehaviour)) {
    const behaviour: HostileBehaviour = typeof b === 'function' ? {} : b;
    hostile = await startHostileServer(behaviour);
    if (typeof b === 'function') Object.assign(behaviour, b(hostile));
    await clientIdFor(hostile);
    await setSetting('secureServer.url', hostile.url);
    const api = await getApi();
    const restore = api.setTestHooks({
      openBrowser: async (url) => {
        opened.push(url.href);
        throw new Error('a sign-in was asked for');
      },
    });
    try {
      return await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    } finally {
      restore();
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

  // Issue 16 HIGH 1: VS Code's microsoft provider adds User.Read to a list without an API scope, so an
  // Entra sign-in with no scope (or OpenID scopes only) would hand the server a Microsoft Graph token.
  for (const [name, behaviour] of [
    ['no scope at all', {}],
    ['OpenID-only scopes_supported', { scopes_supported: ['openid', 'profile', 'email', 'offline_access'] }],
  ] as const) {
    test(`on Entra, ${name}: RESOURCE_SCOPE_MISSING, no Graph token is asked for or sent`, async () => {
      const out = await connectTo({ prm: { authorization_servers: [ENTRA], ...behaviour } });
      assert.equal(out.error?.code, 'RESOURCE_SCOPE_MISSING', JSON.stringify(out.error));
      assert.deepEqual(hostile!.authorizations(), [], 'no Authorization header reached the server');
      assert.deepEqual(opened, []);
    });
  }

  test('the token broker itself refuses an Entra request without a scope of the resource (last gate)', async () => {
    const api = await getApi();
    const url = 'https://mcp.example.com/mcp';
    for (const scopes of [[], ['openid', 'profile', 'offline_access']]) {
      // The client the engine would have chosen at Entra (VS Code's pre-authorised id), as in a real request.
      const client = { clientId: VSCODE_CLIENT_ID };
      const request = { serverUrl: url, resource: url, issuer: ENTRA, client, scopes, reason: 'initial' };
      const refused = api.tokenBroker.getToken(
        request as unknown as Parameters<typeof api.tokenBroker.getToken>[0],
      );
      // Without the gate the microsoft provider would be asked (and wait for a sign-in): bound the wait.
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('not refused in 10 s')), 10_000),
      );
      await assert.rejects(Promise.race([refused, timeout]), (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'RESOURCE_SCOPE_MISSING', String(e));
        return true;
      });
    }
  });

  // Issue 16 HIGH 2: trust in an api:// identifier is per server URL.
  test('server B naming the api:// identifier trusted for server A is refused; the offer names B, and only B gets it', async () => {
    const api = await getApi();
    const apiId = 'api://3333cccc-0000-4000-8000-000000000000';
    const serverA = 'https://mcp-a.example.com/mcp';
    await setSetting('entra.trustedApiIdentifiersByServer', { [serverA]: [apiId] });
    // The old flat list grants nothing until the person binds it to a server.
    await setSetting('entra.trustedApiIdentifierUris', [apiId]);
    const offers: unknown[] = [];
    let accept = false;
    const restore = api.setTestHooks({ confirmApiTrust: async (o) => (offers.push(o), accept) });
    try {
      const b = { challengeScope: `${apiId}/access_as_user`, prm: { authorization_servers: [ENTRA] } };
      const out = await connectTo(b);
      assert.equal(out.error?.code, 'UNTRUSTED_SCOPE', JSON.stringify(out.error));
      assert.deepEqual(hostile!.authorizations(), [], 'no Authorization header reached server B');
      assert.deepEqual(offers, [{ serverUrl: hostile!.url, apiIdentifier: apiId, fromOldList: true }]);
      // The person says yes: trusted for B only, A's entry untouched, the old entry gone; the scope now
      // passes (the run then stops at Entra, which this host cannot reach).
      accept = true;
      await hostile!.close();
      const again = await connectTo(b);
      assert.notEqual(again.error?.code, 'UNTRUSTED_SCOPE', JSON.stringify(again.error));
      assert.notEqual(again.error?.code, 'RESOURCE_SCOPE_MISSING', JSON.stringify(again.error));
      const c = vscode.workspace.getConfiguration('sherpa');
      assert.deepEqual(c.inspect('entra.trustedApiIdentifiersByServer')?.globalValue, {
        [serverA]: [apiId],
        [hostile!.url]: [apiId],
      });
      assert.equal(c.inspect('entra.trustedApiIdentifierUris')?.globalValue, undefined);
      assert.deepEqual(hostile!.authorizations(), []);
    } finally {
      restore();
      await setSetting('entra.trustedApiIdentifiersByServer', undefined);
      await setSetting('entra.trustedApiIdentifierUris', undefined);
    }
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
    await clientIdFor(hostile);
    await setSetting('secureServer.url', hostile.url);
    let presented = false;
    const restore = api.setTestHooks({ presentDeviceCode: () => (presented = true) });
    try {
      await assert.rejects(
        api.connections.connect(SECURE_SERVER_ID, { grant: 'device-code' }),
        (e: unknown) => (e as { code?: string }).code === 'UNSAFE_URL',
      );
    } finally {
      restore();
    }
    assert.equal(presented, false);
  });

  test("with the secure server setting naming another server, the running lab's is listed and connects beside it", async () => {
    const api = await getApi();
    const elsewhere = 'https://ca-secure.example-env.eastus.azurecontainerapps.io/mcp';
    await setSetting('secureServer.url', elsewhere);
    try {
      assert.equal(api.connections.get(SECURE_SERVER_ID).url, elsewhere);
      assert.equal(api.connections.get(LAB_SECURE_SERVER_ID).url, lab!.secure);
      const out = await vscode.commands.executeCommand<ConnectOutcome>(
        'sherpa.connectServer',
        LAB_SECURE_SERVER_ID,
      );
      assert.equal(out.connection.status, 'connected', JSON.stringify(out.error));
      assert.equal(api.tokenState.get(LAB_SECURE_SERVER_ID)?.serverUrl, lab!.secure);
      assert.match(api.statusBar.text, /lab secure · token expires in/);
    } finally {
      await api.connections.disconnect(LAB_SECURE_SERVER_ID);
      api.tokenState.set(LAB_SECURE_SERVER_ID, undefined);
    }
  });

  test('Connect to MCP Server… adds a server next to the lab one; control characters never reach the views', async () => {
    const api = await getApi();
    // The lab's secure server, connected again with the session Sherpa already holds (no browser).
    const lab1 = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    assert.equal(lab1.connection.status, 'connected', JSON.stringify(lab1.error));
    const evil = '\u001b]0;pwned\u0007\u001b[2K\u202e';
    hostile = await startHostileServer({
      prm: { scopes_supported: ['read'] },
      serverName: `srv${evil}`,
      tools: [{ name: `steal${evil}`, description: `[run](command:workbench.action.terminal.new)${evil}` }],
    });
    await clientIdFor(hostile);
    const restore = api.setTestHooks({ openBrowser: followRedirect });
    let out: ConnectOutcome | undefined;
    try {
      out = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectServer', hostile.url);
    } finally {
      restore();
    }
    assert.equal(out?.error, undefined, JSON.stringify(out?.error));
    assert.equal(out!.connection.added, true);
    assert.deepEqual(
      hostile.authorizations().filter((a) => a !== `Bearer ${HOSTILE_TOKEN}`),
      [],
      'only the token the hostile server issued reached it',
    );
    try {
      // Side by side: both rows connected, each keyed by its own id.
      const rows = api.serversView.getChildren() as ServerNode[];
      const labRow = rows.find((n) => n.connection?.id === SECURE_SERVER_ID)!;
      const hostileRow = rows.find((n) => n.connection?.id === out!.connection.id)!;
      assert.equal(labRow.connection.status, 'connected');
      assert.equal(hostileRow.connection.status, 'connected');
      assert.equal(hostileRow.contextValue, 'sherpa.server.oauth.added');
      const tools = api.serversView.getChildren(hostileRow);
      assert.equal(tools.length, 1);
      const shown = [hostileRow.label, tools[0]!.label, tools[0]!.description, tools[0]!.tooltip]
        .map(String)
        .join(' ');
      assert.doesNotMatch(shown, UNPRINTABLE, JSON.stringify(shown));
      assert.equal(typeof hostileRow.tooltip, 'string', 'plain-text tooltip, no Markdown links');
      // The Token view: one heading per server, each holding that server's own token.
      const heads = api.tokenView.getChildren() as ServerTokenNode[];
      assert.deepEqual(heads.map((h) => h.serverId).sort(), [SECURE_SERVER_ID, out!.connection.id].sort());
      assert.equal(api.tokenState.get(out!.connection.id)!.accessToken, HOSTILE_TOKEN);
      const labToken = api.tokenState.get(SECURE_SERVER_ID)!.accessToken;
      assert.notEqual(labToken, HOSTILE_TOKEN);
      // Sign Out for one server (its Token view heading): only that server's session and token go.
      const sessionsBefore = (await api.authProvider.getSessions(undefined)).length;
      const removed = await vscode.commands.executeCommand<number>(
        'sherpa.signOut',
        heads.find((h) => h.serverId === out!.connection.id),
      );
      assert.equal(removed, 1);
      assert.equal((await api.authProvider.getSessions(undefined)).length, sessionsBefore - 1);
      assert.equal(api.tokenState.get(out!.connection.id), undefined);
      assert.equal(api.tokenState.get(SECURE_SERVER_ID)?.accessToken, labToken, "the lab's token stays");
      assert.equal(api.connections.get(out!.connection.id).status, 'disconnected');
      assert.equal(api.connections.get(SECURE_SERVER_ID).status, 'connected');
    } finally {
      assert.equal(await vscode.commands.executeCommand('sherpa.removeServer', out!.connection.id), true);
    }
    assert.equal(api.connections.find(out!.connection.id), undefined, 'removed');
    assert.equal(api.tokenState.get(out!.connection.id), undefined, 'its token forgotten');
  });

  test('Connect to MCP Server… refuses plain http to a remote host before sending anything', async () => {
    const api = await getApi();
    const before = api.connections.list().length;
    const out = await vscode.commands.executeCommand<{ error?: { code?: string } }>(
      'sherpa.connectServer',
      'http://mcp.example.com/mcp',
    );
    assert.equal(out?.error?.code, 'INSECURE_TRANSPORT', JSON.stringify(out));
    assert.equal(api.connections.list().length, before, 'no server was added');
  });
});
