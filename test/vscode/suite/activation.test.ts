import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, getApi } from './helpers';

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

  test('the Servers view lists both servers before anything is connected', async () => {
    const api = await getApi();
    const nodes = api.serversView.getChildren();
    assert.deepEqual(
      nodes.map((n) => n.contextValue),
      ['sherpa.server.vulnerable', 'sherpa.server.secure'],
    );
    assert.equal(api.tokenView.getChildren().length, 0, 'no token yet: the welcome view shows');
  });
});
