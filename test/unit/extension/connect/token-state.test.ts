import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenState } from '../../../../src/extension/connect/token-state';

const token = (accessToken: string, o: { url?: string; sessionId?: string } = {}) => ({
  accessToken,
  source: 'test',
  expectations: {},
  ...(o.url ? { serverUrl: o.url } : {}),
  ...(o.sessionId ? { sessionId: o.sessionId } : {}),
});

describe('token state (one token per server)', () => {
  it('keeps each server its own token; the newest is in focus until another is selected', () => {
    const s = new TokenState();
    s.set('a', token('ta', { url: 'https://a/mcp' }));
    s.set('b', token('tb', { url: 'https://b/mcp' }));
    assert.deepEqual(
      s.all().map((t) => [t.serverId, t.accessToken]),
      [
        ['a', 'ta'],
        ['b', 'tb'],
      ],
    );
    assert.equal(s.current?.serverId, 'b');
    s.select('a');
    assert.equal(s.current?.accessToken, 'ta');
    s.select('nobody');
    assert.equal(s.current?.serverId, 'a', 'selecting a server without a token changes nothing');
  });

  it('finds a token by the exact URL it was obtained for, and no other', () => {
    const s = new TokenState();
    s.set('a', token('ta', { url: 'https://a/mcp' }));
    assert.equal(s.forUrl('https://a/mcp')?.accessToken, 'ta');
    assert.equal(s.forUrl('https://a/mcp/'), undefined);
  });

  it('replacing and forgetting: set(id, undefined) drops one; a signed-out session drops all of its tokens', () => {
    const s = new TokenState();
    let changes = 0;
    s.onDidChange(() => changes++);
    s.set('a', token('ta', { sessionId: 's1' }));
    s.set('b', token('tb', { sessionId: 's1' }));
    s.set('c', token('tc', { sessionId: 's2' }));
    s.set('c', undefined);
    assert.deepEqual(
      s.all().map((t) => t.serverId),
      ['a', 'b'],
    );
    s.forgetSession('s1');
    assert.deepEqual(s.all(), []);
    assert.equal(s.current, undefined);
    assert.equal(changes, 5);
    s.forgetSession('s1');
    assert.equal(changes, 5, 'nothing to forget: no change event');
  });
});
