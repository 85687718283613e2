import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listHttpServers } from '../../../../src/core/mcp-config/http-servers';

describe('HTTP servers of an mcp.json', () => {
  it('lists name and URL of http(s) entries under servers and mcpServers, comments allowed', () => {
    const text = `{
      // VS Code's key
      "servers": {
        "mine": { "type": "http", "url": "https://mcp.example.com/mcp", "headers": { "X": "y" } },
        "local": { "command": "node", "args": ["server.js"] },
      },
      "mcpServers": { "other": { "url": "http://127.0.0.1:7482/mcp" } }
    }`;
    assert.deepEqual(listHttpServers(text), [
      { name: 'mine', url: 'https://mcp.example.com/mcp' },
      { name: 'other', url: 'http://127.0.0.1:7482/mcp' },
    ]);
  });

  it('yields nothing for what is not an mcp.json, without throwing', () => {
    for (const text of [
      '',
      'not json',
      '[1,2]',
      '{"servers": 3}',
      '{"servers": {"x": {"url": "file:///etc/passwd"}}}',
    ])
      assert.deepEqual(listHttpServers(text), [], text);
  });
});
