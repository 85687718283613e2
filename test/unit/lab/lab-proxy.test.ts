import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { connectThrough } from '../../support/http-request';
import { parseAuthority, routeTarget, startLabProxy } from '../../../src/lab/lab-proxy';

const TUNNELS = { 'login.microsoftonline.com:443': { host: '127.0.0.1', port: 7480 } };
const LAB_PORTS = new Set([7480, 7482]);

describe('lab-proxy routing (no DNS: decided from the literal target)', () => {
  test('parseAuthority: host:port, bracketed IPv6; garbage is undefined', () => {
    assert.deepEqual(parseAuthority('Login.MicrosoftOnline.com:443'), {
      hostname: 'login.microsoftonline.com',
      port: 443,
    });
    assert.deepEqual(parseAuthority('[::1]:7482'), { hostname: '[::1]', port: 7482 });
    for (const bad of [
      'login.microsoftonline.com',
      'a:0',
      'a:70000',
      'a b:1',
      'http://a:1',
      '',
      'user@a:1',
    ]) {
      assert.equal(parseAuthority(bad), undefined, bad);
    }
  });

  test("routeTarget: the mapped host on its port only; the lab's loopback ports as-is; nothing else", () => {
    assert.deepEqual(routeTarget('login.microsoftonline.com', 443, TUNNELS, LAB_PORTS), {
      host: '127.0.0.1',
      port: 7480,
    });
    assert.equal(routeTarget('login.microsoftonline.com', 80, TUNNELS, LAB_PORTS), undefined);
    assert.equal(routeTarget('login.microsoftonline.com.evil.example', 443, TUNNELS, LAB_PORTS), undefined);
    assert.equal(routeTarget('graph.microsoft.com', 443, TUNNELS, LAB_PORTS), undefined);
    assert.deepEqual(routeTarget('localhost', 7482, TUNNELS, LAB_PORTS), { host: '127.0.0.1', port: 7482 });
    assert.deepEqual(routeTarget('[::1]', 7482, TUNNELS, LAB_PORTS), { host: '::1', port: 7482 });
    assert.equal(routeTarget('10.255.255.1', 443, TUNNELS, LAB_PORTS), undefined);
    // All of 127/8 is loopback, as everywhere in Sherpa (core/net/loopback.ts) — on the lab's ports.
    assert.deepEqual(routeTarget('127.0.0.2', 7482, TUNNELS, LAB_PORTS), { host: '127.0.0.2', port: 7482 });
    // Issue 16: other loopback ports are the machine's services, not the lab's.
    for (const [h, p] of [
      ['127.0.0.1', 22],
      ['localhost', 5432],
      ['[::1]', 6379],
      ['127.0.0.2', 7481],
      ['127.0.0.2', 22],
    ] as const) {
      assert.equal(routeTarget(h, p, TUNNELS, LAB_PORTS), undefined, `${h}:${p}`);
    }
  });
});

describe('lab-proxy refusal opens nothing', () => {
  test('a foreign name or address gets 403 without a single outbound connection; loopback gets one', async () => {
    const upstream = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const proxy = await startLabProxy({ port: 0, tunnels: TUNNELS, loopbackPorts: [upstreamPort] });
    // The proxy opens upstream connections with net.connect (which also resolves names): count them.
    const connect = mock.method(net, 'connect');
    try {
      const port = Number(new URL(proxy.url).port);
      for (const target of ['no-such-host.invalid:443', '10.255.255.1:443', 'login.microsoftonline.com:80'])
        assert.equal((await connectThrough(port, target)).status, 'HTTP/1.1 403 Forbidden', target);
      assert.equal(connect.mock.callCount(), 0, 'nothing was resolved or connected for a refused target');
      const local = `127.0.0.1:${upstreamPort}`;
      assert.equal((await connectThrough(port, local)).status, 'HTTP/1.1 200 Connection Established');
      assert.equal(connect.mock.callCount(), 1, 'the spy sees the proxy connect when it does');
    } finally {
      connect.mock.restore();
      await proxy.close();
      upstream.close();
    }
  });
});
