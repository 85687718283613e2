import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { LAB_STATIC_TOKEN } from '../../../src/core/lab-defaults';
import { getApi, setSetting } from './helpers';

suite('MCP server definition provider', () => {
  teardown(async () => {
    await setSetting('secureServer.url', undefined);
    await setSetting('vulnerableServer.staticToken', undefined);
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

  test('follows settings and fires onDidChangeMcpServerDefinitions', async () => {
    const api = await getApi();
    const fired = new Promise<void>((resolve) => {
      const d = api.mcpProvider.onDidChangeMcpServerDefinitions(() => {
        d.dispose();
        resolve();
      });
    });
    await setSetting('secureServer.url', 'http://127.0.0.1:9/elsewhere/mcp');
    await Promise.race([
      fired,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no change event')), 5000)),
    ]);
    const defs = (await api.mcpProvider.provideMcpServerDefinitions()) as vscode.McpHttpServerDefinition[];
    assert.ok(defs.some((d) => d.uri.toString() === 'http://127.0.0.1:9/elsewhere/mcp'));
  });
});
