import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackTarget, parseAuthority, routeTarget } from '../../../src/lab/lab-proxy';

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

  test('isLoopbackTarget: only literal loopback names and addresses', () => {
    for (const yes of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]'])
      assert.ok(isLoopbackTarget(yes), yes);
    for (const no of [
      '10.0.0.1',
      '0.0.0.0',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'login.microsoftonline.com',
      '::ffff:8.8.8.8',
    ]) {
      assert.ok(!isLoopbackTarget(no), no);
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
    // Issue 16: other loopback ports are the machine's services, not the lab's.
    for (const [h, p] of [
      ['127.0.0.1', 22],
      ['localhost', 5432],
      ['[::1]', 6379],
      ['127.0.0.2', 7481],
    ] as const) {
      assert.equal(routeTarget(h, p, TUNNELS, LAB_PORTS), undefined, `${h}:${p}`);
    }
  });
});
