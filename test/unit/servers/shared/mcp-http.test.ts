import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyJsonRpc } from '../../../../src/servers/shared/mcp-http';

describe('classifyJsonRpc (JSON-RPC 2.0 §4–5 envelope)', () => {
  it('tells requests, notifications and responses apart', () => {
    assert.equal(classifyJsonRpc({ jsonrpc: '2.0', id: 1, method: 'ping' }).kind, 'request');
    assert.equal(
      classifyJsonRpc({ jsonrpc: '2.0', id: 'a', method: 'tools/list', params: {} }).kind,
      'request',
    );
    assert.equal(
      classifyJsonRpc({ jsonrpc: '2.0', method: 'notifications/initialized' }).kind,
      'notification',
    );
    assert.equal(classifyJsonRpc({ jsonrpc: '2.0', id: 1, result: {} }).kind, 'response');
    assert.equal(
      classifyJsonRpc({ jsonrpc: '2.0', id: 1, error: { code: -1, message: 'x' } }).kind,
      'response',
    );
  });

  it('refuses everything that is not a JSON-RPC 2.0 message', () => {
    for (const bad of [
      null,
      1,
      'x',
      [],
      {},
      { jsonrpc: '1.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 1, method: 5 },
      { jsonrpc: '2.0', id: 1.5, method: 'ping' },
      { jsonrpc: '2.0', id: null, method: 'ping' },
      { jsonrpc: '2.0', id: {}, method: 'ping' },
      { jsonrpc: '2.0', id: 1, method: 'ping', params: [] },
      { jsonrpc: '2.0', id: 1, method: 'ping', params: 'p' },
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: 1, result: 5 },
      { jsonrpc: '2.0', id: 1, error: { code: 1 } },
      { jsonrpc: '2.0', id: 1, error: { code: 'x', message: 'm' } },
    ])
      assert.equal(classifyJsonRpc(bad).kind, 'invalid', JSON.stringify(bad));
  });
});
