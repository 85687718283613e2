import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import {
  ForwardedAddresses,
  forwardedBaseOf,
  parseForwardedAddress,
} from '../../../../src/servers/authz/forwarded-addresses';

const AS_PORT = 7480;
const CS = 'http://127.0.0.1:8080';

function request(
  headers: Record<string, string>,
  url = '/tenant/v2.0/auth?x=1',
): IncomingMessage & { originalUrl?: string } {
  return { headers: { ...headers }, url } as unknown as IncomingMessage & { originalUrl?: string };
}

describe('parseForwardedAddress', () => {
  test('normalises both bases to a trailing slash', () => {
    assert.deepEqual(
      parseForwardedAddress({ internal: 'http://127.0.0.1:7480', external: `${CS}/proxy/7480` }),
      {
        internal: 'http://127.0.0.1:7480/',
        external: `${CS}/proxy/7480/`,
      },
    );
  });
  test('refuses what is not a loopback origin → http(s) base', () => {
    for (const bad of [
      { internal: 'http://10.0.0.1:7480/', external: `${CS}/proxy/7480/` },
      { internal: 'https://127.0.0.1:7480/', external: `${CS}/proxy/7480/` },
      { internal: 'http://127.0.0.1:7480/sub/', external: `${CS}/proxy/7480/` },
      { internal: 'http://127.0.0.1:7480/', external: 'file:///etc/passwd' },
      { internal: 'http://127.0.0.1:7480/', external: 'http://user:pw@h/' },
      { internal: 'http://127.0.0.1:7480/', external: 'http://h/#x' },
      { internal: 'http://127.0.0.1:7480/', external: `http://h/${'a'.repeat(3000)}` },
      { internal: 42, external: null },
      'http://127.0.0.1:7480/',
    ]) {
      assert.throws(() => parseForwardedAddress(bad), { code: 'BAD_ARGUMENT' }, JSON.stringify(bad));
    }
  });
});

describe('ForwardedAddresses', () => {
  test('Host check: only the authorities registered for this server, in both spellings', () => {
    const f = new ForwardedAddresses(AS_PORT);
    f.add({ internal: 'http://127.0.0.1:7480/', external: `${CS}/proxy/7480/` });
    f.add({ internal: 'http://127.0.0.1:7480/', external: 'https://name-7480.app.github.dev/' });
    f.add({ internal: 'http://127.0.0.1:53123/', external: `${CS}/proxy/53123/` }); // a receiver, not us
    assert.deepEqual(f.hosts().sort(), [
      '127.0.0.1:8080',
      '127.0.0.1:8080',
      'name-7480.app.github.dev',
      'name-7480.app.github.dev:443',
    ]);
  });

  test('middleware: a request through the forwarder gets its prefix back and forwarding headers set by us', () => {
    const f = new ForwardedAddresses(AS_PORT);
    f.add({ internal: 'http://127.0.0.1:7480/', external: `${CS}/proxy/7480/` });
    const req = request({ host: '127.0.0.1:8080', 'x-forwarded-proto': 'https' });
    let nexted = false;
    f.middleware()(req, undefined, () => (nexted = true));
    assert.ok(nexted);
    assert.equal(req.originalUrl, '/proxy/7480/tenant/v2.0/auth?x=1');
    assert.equal(req.headers['x-forwarded-host'], '127.0.0.1:8080');
    assert.equal(req.headers['x-forwarded-proto'], 'http', 'the registered scheme, not the client-sent one');
    assert.equal(forwardedBaseOf(req)?.href, `${CS}/proxy/7480/`);
  });

  test('middleware: a direct request keeps its URL, and client-sent forwarding headers are dropped', () => {
    const f = new ForwardedAddresses(AS_PORT);
    f.add({ internal: 'http://127.0.0.1:7480/', external: `${CS}/proxy/7480/` });
    const req = request({
      host: '127.0.0.1:7480',
      'x-forwarded-host': 'evil.example',
      forwarded: 'host=evil',
    });
    f.middleware()(req, undefined, () => undefined);
    assert.equal(req.originalUrl, undefined);
    assert.equal(req.headers['x-forwarded-host'], undefined);
    assert.equal(req.headers.forwarded, undefined);
    assert.equal(forwardedBaseOf(req), undefined);
  });

  test('a forwarder that rewrites Host but names the registered address in X-Forwarded-Host is recognised', () => {
    const f = new ForwardedAddresses(AS_PORT);
    f.add({ internal: 'http://127.0.0.1:7480/', external: 'https://name-7480.app.github.dev/' });
    const req = request({ host: 'localhost:7480', 'x-forwarded-host': 'name-7480.app.github.dev' });
    f.middleware()(req, undefined, () => undefined);
    assert.equal(req.headers['x-forwarded-proto'], 'https');
    assert.equal(req.originalUrl, '/tenant/v2.0/auth?x=1', 'no path prefix at the root');
  });

  test('redirect URIs: a forwarded receiver maps to its loopback URI; our own port and strangers do not', () => {
    const f = new ForwardedAddresses(AS_PORT);
    f.add({ internal: 'http://127.0.0.1:7480/', external: `${CS}/proxy/7480/` });
    f.add({ internal: 'http://127.0.0.1:53123/', external: `${CS}/proxy/53123/` });
    assert.equal(f.toLoopback(`${CS}/proxy/53123/callback`), 'http://127.0.0.1:53123/callback');
    assert.equal(f.toLoopback(`${CS}/proxy/7480/callback`), undefined);
    assert.equal(f.toLoopback(`${CS}/proxy/53124/callback`), undefined);
    assert.equal(f.toLoopback(`${CS}/proxy/531230/callback`), undefined, 'prefix match is on the whole base');
  });

  test('at most 64 addresses: the oldest goes first; re-adding refreshes', () => {
    const f = new ForwardedAddresses(AS_PORT);
    for (let p = 1; p <= 70; p++)
      f.add({ internal: `http://127.0.0.1:${10_000 + p}/`, external: `${CS}/proxy/${10_000 + p}/` });
    assert.equal(f.toLoopback(`${CS}/proxy/10001/callback`), undefined);
    assert.equal(f.toLoopback(`${CS}/proxy/10070/callback`), 'http://127.0.0.1:10070/callback');
  });
});
