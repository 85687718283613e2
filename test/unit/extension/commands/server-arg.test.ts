import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverIdOf } from '../../../../src/extension/commands/server-arg';

describe('the server a command argument names', () => {
  it('reads a server row, a tool row, a Token view heading and a plain id', () => {
    assert.equal(serverIdOf({ connection: { id: 'configured:secure', url: 'x' } }), 'configured:secure');
    assert.equal(serverIdOf({ server: 'url:https://a/mcp', tool: { name: 'whoami' } }), 'url:https://a/mcp');
    assert.equal(serverIdOf({ serverId: 'lab:secure' }), 'lab:secure');
    assert.equal(serverIdOf(' configured:vulnerable '), 'configured:vulnerable');
  });

  it('anything else names no server, so the command asks (or uses the only one)', () => {
    for (const arg of [undefined, null, '', '   ', 42, {}, { connection: {} }, { server: 7 }, []])
      assert.equal(serverIdOf(arg), undefined, JSON.stringify(arg));
  });
});
