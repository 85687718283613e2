import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, getApi, setSetting } from './helpers';

suite('Activation', () => {
  test('activates and exports its services', async () => {
    const api = await getApi();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    for (const key of [
      'mcpProvider',
      'authProvider',
      'tokenView',
      'serversView',
      'connections',
      'lab',
    ] as const) {
      assert.ok(api[key], `API has ${key}`);
    }
  });

  test('every contributed command is registered', async () => {
    await getApi();
    const contributed = (
      vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
        contributes: { commands: { command: string }[] };
      }
    ).contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 10, 'the manifest contributes the commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
  });

  test('commands that need no server run without throwing', async () => {
    await getApi();
    await vscode.commands.executeCommand('sherpa.refreshViews');
    await vscode.commands.executeCommand('sherpa.showLog');
    const uri = await vscode.commands.executeCommand<string>('sherpa.explainManagedIdentity');
    assert.match(uri, /3-managed-identity\.md$/);
    // Nothing connected: runTool without a target offers no tools and returns undefined.
    assert.equal(await vscode.commands.executeCommand('sherpa.runTool'), undefined);
  });

  test('while the lab is stopped the Servers view is empty (its welcome shows); a configured URL brings both rows', async () => {
    const api = await getApi();
    assert.equal(api.lab.state, 'stopped');
    assert.deepEqual(api.serversView.getChildren(), [], 'no rows: the welcome with Start Local Lab shows');
    assert.equal(api.tokenView.getChildren().length, 0, 'no token yet: the welcome view shows');
    // A server URL in the settings names a real server: both rows show without the lab.
    await setSetting('secureServer.url', 'http://127.0.0.1:7597/mcp');
    try {
      assert.deepEqual(
        api.serversView.getChildren().map((n) => n.contextValue),
        ['sherpa.server.static-token', 'sherpa.server.oauth'],
      );
    } finally {
      await setSetting('secureServer.url', undefined);
    }
    assert.deepEqual(api.serversView.getChildren(), [], 'the welcome again once the setting is gone');
  });

  test('before the lab starts, the servers Sherpa would connect to follow the configured lab ports', async () => {
    const api = await getApi();
    assert.equal(api.lab.state, 'stopped');
    await setSetting('lab.securePort', 7599);
    await setSetting('lab.vulnerablePort', 7598);
    try {
      const text = api.connections.list().map((c) => c.url);
      assert.ok(
        text.some((d) => d.includes('http://127.0.0.1:7599/mcp')),
        text.join(' | '),
      );
      assert.ok(
        text.some((d) => d.includes('http://127.0.0.1:7598/mcp')),
        text.join(' | '),
      );
    } finally {
      await setSetting('lab.securePort', undefined);
      await setSetting('lab.vulnerablePort', undefined);
    }
  });

  test('Run Tool is in the Command Palette', async () => {
    await getApi();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: {
        commands: { command: string }[];
        menus: { commandPalette?: { command: string; when?: string }[] };
      };
    };
    // The palette lists a contributed, registered command unless a commandPalette entry's `when` hides it.
    const runTool = manifest.contributes.commands.find((c) => c.command === 'sherpa.runTool');
    assert.ok(runTool, 'sherpa.runTool is contributed');
    assert.ok((await vscode.commands.getCommands(true)).includes('sherpa.runTool'), 'and registered');
    const entries = (manifest.contributes.menus.commandPalette ?? []).filter(
      (m) => m.command === 'sherpa.runTool',
    );
    assert.deepEqual(
      entries.filter((m) => m.when !== undefined),
      [],
      'no commandPalette `when` clause hides or narrows Run Tool',
    );
  });
});
