import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { LAB_STATIC_TOKEN } from '../../../src/servers/shared/lab-defaults';
import { EXTENSION_ID, getApi, setSetting } from './helpers';

suite('MCP server definition provider', () => {
  teardown(async () => {
    await setSetting('secureServer.url', undefined);
    await setSetting('vulnerableServer.url', undefined);
    await (await getApi()).vulnerableToken.set(undefined, 'http://127.0.0.1:7481/mcp');
  });

  test('offers the vulnerable server with its static header and the secure one without', async () => {
    const api = await getApi();
    const defs = (await api.mcpProvider.provideMcpServerDefinitions()) as vscode.McpHttpServerDefinition[];
    assert.equal(defs.length, 2);
    const vulnerable = defs.find((d) => /vulnerable/i.test(d.label))!;
    const secure = defs.find((d) => /secure/i.test(d.label) && !/vulnerable/i.test(d.label))!;
    assert.match(vulnerable.label, /INSECURE/);
    assert.equal(vulnerable.headers.Authorization, `Bearer ${LAB_STATIC_TOKEN}`);
    assert.match(vulnerable.uri.toString(), /\/mcp$/);
    assert.deepEqual(secure.headers, {}, 'VS Code must discover PRM and sign in by itself');
    assert.match(secure.uri.toString(), /\/mcp$/);
  });

  test('follows the URL setting and fires onDidChangeMcpServerDefinitions', async () => {
    const api = await getApi();
    const fired = nextChange(api.mcpProvider);
    await setSetting('secureServer.url', 'http://127.0.0.1:9/elsewhere/mcp');
    await fired;
    const defs = (await api.mcpProvider.provideMcpServerDefinitions()) as vscode.McpHttpServerDefinition[];
    assert.ok(defs.some((d) => d.uri.toString() === 'http://127.0.0.1:9/elsewhere/mcp'));
  });

  test('the static token is not a setting: it comes from SecretStorage, else the lab default', async () => {
    const api = await getApi();
    const inspected = vscode.workspace.getConfiguration('sherpa').inspect('vulnerableServer.staticToken');
    assert.equal(inspected?.defaultValue, undefined, 'no staticToken setting in the manifest');
    assert.ok((await vscode.commands.getCommands(true)).includes('sherpa.setVulnerableToken'));

    let defs = (await api.mcpProvider.provideMcpServerDefinitions()) as vscode.McpHttpServerDefinition[];
    const url = vulnerableOf(defs).uri.toString();
    const stored = nextChange(api.mcpProvider);
    await api.vulnerableToken.set('my-own-server-token-123', url);
    await stored;
    defs = (await api.mcpProvider.provideMcpServerDefinitions()) as vscode.McpHttpServerDefinition[];
    assert.equal(vulnerableOf(defs).headers.Authorization, 'Bearer my-own-server-token-123');
    assert.equal(await api.vulnerableToken.get(url), 'my-own-server-token-123');

    const reset = nextChange(api.mcpProvider);
    await api.vulnerableToken.set('', url);
    await reset;
    defs = (await api.mcpProvider.provideMcpServerDefinitions()) as vscode.McpHttpServerDefinition[];
    assert.equal(vulnerableOf(defs).headers.Authorization, `Bearer ${LAB_STATIC_TOKEN}`);
  });
});

suite('Settings that decide where a stored token goes', () => {
  teardown(async () => {
    await setSetting('vulnerableServer.url', undefined);
    await (await getApi()).vulnerableToken.set(undefined, 'http://127.0.0.1:7481/mcp');
  });

  test('a stored static token is sent only to the origin it was stored for', async () => {
    const api = await getApi();
    await setSetting('vulnerableServer.url', 'http://127.0.0.1:7481/mcp');
    await api.vulnerableToken.set('token-for-my-server-only', 'http://127.0.0.1:7481/mcp');
    assert.equal(await api.vulnerableToken.get('http://127.0.0.1:7481/other'), 'token-for-my-server-only');
    // The URL moves (to another port here; to another host is the same rule): the token stays behind.
    const moved = nextChange(api.mcpProvider);
    await setSetting('vulnerableServer.url', 'http://127.0.0.1:9999/mcp');
    await moved;
    const defs = (await api.mcpProvider.provideMcpServerDefinitions()) as vscode.McpHttpServerDefinition[];
    assert.equal(vulnerableOf(defs).headers.Authorization, `Bearer ${LAB_STATIC_TOKEN}`);
    assert.equal(await api.vulnerableToken.get('http://127.0.0.1:9999/mcp'), LAB_STATIC_TOKEN);
  });

  test('server URLs and client ids are machine-scoped: a workspace cannot set them', () => {
    const c = vscode.workspace.getConfiguration('sherpa');
    for (const key of [
      'secureServer.url',
      'vulnerableServer.url',
      'auth.clientId',
      'auth.azureCliClientId',
      'entra.tenant',
      'entra.trustedApiIdentifierUris',
      'entra.trustedApiIdentifiersByServer',
    ]) {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const props = (
        ext.packageJSON as {
          contributes: { configuration: { properties: Record<string, { scope?: string }> } };
        }
      ).contributes.configuration.properties;
      assert.equal(props[`sherpa.${key}`]?.scope, 'machine', `sherpa.${key} must be machine-scoped`);
      assert.ok(c.inspect(key), key);
    }
  });
});

function vulnerableOf(defs: vscode.McpHttpServerDefinition[]): vscode.McpHttpServerDefinition {
  const d = defs.find((x) => /vulnerable/i.test(x.label));
  assert.ok(d, 'a vulnerable server definition');
  return d;
}

/** Resolves on the provider's next change event; rejects after 5 s. */
function nextChange(provider: { onDidChangeMcpServerDefinitions: vscode.Event<void> }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      d.dispose();
      reject(new Error('no onDidChangeMcpServerDefinitions event'));
    }, 5000);
    const d = provider.onDidChangeMcpServerDefinitions(() => {
      clearTimeout(timer);
      d.dispose();
      resolve();
    });
  });
}
