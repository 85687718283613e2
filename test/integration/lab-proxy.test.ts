/**
 * The lab proxy in-process, with node's own `net.connect` and `dns.lookup` watched: a refused target must
 * cause neither (no name resolved, no socket opened), a mapped one exactly one connect to the lab port.
 */
import dns from 'node:dns';
import net from 'node:net';
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLabProxy, type RunningLabProxy } from '../../src/lab/lab-proxy';

function connectThrough(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // The test's own socket is made before the spies are read, with the original function.
    const s = originalConnect(port, '127.0.0.1', () =>
      s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`),
    );
    let data = '';
    s.setTimeout(5_000, () => reject(new Error('no answer')));
    s.on('data', (d: Buffer) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        s.destroy();
        resolve(data.split('\r\n')[0] ?? '');
      }
    });
    s.on('error', reject);
  });
}
const originalConnect = net.connect.bind(net) as typeof net.connect;

describe('lab proxy (in-process, node’s connect and lookup watched)', () => {
  let proxy: RunningLabProxy;
  let upstream: net.Server;
  let upstreamPort = 0;

  before(async () => {
    upstream = net.createServer((s) => s.end());
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as net.AddressInfo).port;
    proxy = await startLabProxy({
      host: '127.0.0.1',
      port: 0,
      tunnels: { 'login.microsoftonline.com:443': { host: '127.0.0.1', port: upstreamPort } },
    });
  });
  after(async () => {
    await proxy.close();
    await new Promise<void>((r) => upstream.close(() => r()));
    mock.restoreAll();
  });

  test('refused targets: 403, and neither dns.lookup nor net.connect was called', async () => {
    const connect = mock.method(net, 'connect');
    const lookup = mock.method(dns, 'lookup');
    try {
      for (const target of [
        'example.com:443',
        'no-such-host.invalid:443',
        '10.255.255.1:443',
        'login.microsoftonline.com:8443',
      ]) {
        assert.equal(await connectThrough(proxy.port, target), 'HTTP/1.1 403 Forbidden', target);
      }
      assert.equal(connect.mock.callCount(), 0);
      assert.equal(lookup.mock.callCount(), 0);
    } finally {
      connect.mock.restore();
      lookup.mock.restore();
    }
  });

  test('the mapped host: one connect, to the lab port on loopback, and no lookup', async () => {
    const connect = mock.method(net, 'connect');
    const lookup = mock.method(dns, 'lookup');
    try {
      assert.equal(
        await connectThrough(proxy.port, 'login.microsoftonline.com:443'),
        'HTTP/1.1 200 Connection Established',
      );
      assert.equal(connect.mock.callCount(), 1);
      assert.deepEqual(connect.mock.calls[0]?.arguments[0], { host: '127.0.0.1', port: upstreamPort });
      assert.equal(lookup.mock.callCount(), 0);
    } finally {
      connect.mock.restore();
      lookup.mock.restore();
    }
  });
});
