import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControlLineReader, handleControlLine, MAX_CONTROL_LINE } from '../../../src/lab/control-channel';
import { SherpaError } from '../../../src/core/errors';
import { ForwardedAddresses } from '../../../src/servers/authz/forwarded-addresses';

const target = () => {
  const f = new ForwardedAddresses(7480);
  return {
    addForwardedAddress: (a: unknown) => f.add(a),
    allowProxyPort: (p: unknown) => {
      if (typeof p !== 'number') throw new SherpaError('BAD_ARGUMENT', 'not a port');
      return p;
    },
  };
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

test('a proxyPort request is handed to the lab and answered with the port', () => {
  assert.deepEqual(handleControlLine('{"id":4,"proxyPort":7490}', target()), {
    id: 4,
    ok: true,
    proxyPort: 7490,
  });
  const bad = handleControlLine('{"id":5,"proxyPort":"22"}', target());
  assert.equal(bad.ok, false);
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

test('issue 16: a 10 MiB line without a newline is never held; one error, then the next line is read', () => {
  const lines: string[] = [];
  let oversized = 0;
  const reader = new ControlLineReader(
    (l) => lines.push(l),
    () => oversized++,
  );
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  let most = 0;
  for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
    reader.push(chunk);
    most = Math.max(most, reader.bufferedBytes);
  }
  assert.ok(most <= MAX_CONTROL_LINE, `held ${most} bytes`);
  assert.equal(oversized, 1, 'reported once, not per chunk');
  assert.deepEqual(lines, []);
  // The rest of the long line up to its newline is dropped; the following line is read whole.
  reader.push(Buffer.from('tail of the long line\n{"id":1}\r\n{"id":'));
  reader.push(Buffer.from('2}\n'));
  assert.deepEqual(lines, ['{"id":1}', '{"id":2}']);
  assert.equal(reader.bufferedBytes, 0);
});

test('a line of exactly MAX_CONTROL_LINE bytes split across chunks is read', () => {
  const lines: string[] = [];
  const reader = new ControlLineReader(
    (l) => lines.push(l),
    () => assert.fail('not oversized'),
  );
  const line = 'y'.repeat(MAX_CONTROL_LINE);
  reader.push(Buffer.from(line.slice(0, 100)));
  reader.push(Buffer.from(line.slice(100) + '\n'));
  assert.deepEqual(lines, [line]);
});
