import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSherpaError } from '../../../../src/core/errors';
import { parseServerUrl } from '../../../../src/core/mcp/server-url';

const code = (input: string) => {
  try {
    parseServerUrl(input);
    return 'accepted';
  } catch (e) {
    assert.ok(isSherpaError(e), String(e));
    assert.ok(e.hint, `${e.code} has a hint`);
    return e.code;
  }
};

describe('parseServerUrl (a typed MCP endpoint URL)', () => {
  it('accepts https anywhere and http on loopback, trimmed and without the fragment', () => {
    assert.equal(parseServerUrl('  https://MCP.example.com/mcp#x ').href, 'https://mcp.example.com/mcp');
    assert.equal(parseServerUrl('http://127.0.0.1:7482/mcp').href, 'http://127.0.0.1:7482/mcp');
    assert.equal(parseServerUrl('http://localhost:8080/mcp').href, 'http://localhost:8080/mcp');
  });

  it('refuses what is not an http(s) URL, credentials in it, and plain http to another host', () => {
    assert.equal(code(''), 'BAD_ARGUMENT');
    assert.equal(code('mcp.example.com/mcp'), 'BAD_ARGUMENT');
    assert.equal(code('command:workbench.action.terminal.new'), 'BAD_ARGUMENT');
    assert.equal(code('https://user:pw@mcp.example.com/mcp'), 'BAD_ARGUMENT');
    assert.equal(code('http://mcp.example.com/mcp'), 'INSECURE_TRANSPORT');
    assert.equal(code('http://10.0.0.5/mcp'), 'INSECURE_TRANSPORT');
  });
});
