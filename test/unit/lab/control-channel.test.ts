import assert from 'node:assert/strict';
import { test } from 'node:test';
import { handleControlLine, MAX_CONTROL_LINE } from '../../../src/lab/control-channel';
import { ForwardedAddresses } from '../../../src/servers/authz/forwarded-addresses';

const target = () => {
  const f = new ForwardedAddresses(7480);
  return { addForwardedAddress: (a: unknown) => f.add(a) };
};

test('a forward request is answered with the normalised address and the same id', () => {
  const reply = handleControlLine(
    JSON.stringify({
      id: 3,
      forward: { internal: 'http://127.0.0.1:7480', external: 'http://h:8080/proxy/7480' },
    }),
    target(),
  );
  assert.deepEqual(reply, {
    id: 3,
    ok: true,
    forwarded: { internal: 'http://127.0.0.1:7480/', external: 'http://h:8080/proxy/7480/' },
  });
});

test('bad lines get an error reply, never a throw', () => {
  for (const line of [
    '',
    'nope',
    'null',
    '7',
    '{"id":1}',
    '{"id":{},"forward":{}}',
    'x'.repeat(MAX_CONTROL_LINE + 1),
  ]) {
    const reply = handleControlLine(line, target());
    assert.equal(reply.ok, false, line.slice(0, 30));
    if (!reply.ok) assert.equal(reply.error.code, 'BAD_ARGUMENT');
  }
  const withId = handleControlLine(
    '{"id":"a","forward":{"internal":"http://evil.example/","external":"http://h/"}}',
    target(),
  );
  assert.equal(withId.id, 'a');
});
