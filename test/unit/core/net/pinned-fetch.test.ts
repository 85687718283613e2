/**
 * DNS rebinding against the guarded fetch (issue 16, LOW): a resolver that answers one address when the
 * guard checks the name and another when the connection is opened. Two real loopback listeners on the
 * same port stand for "the address that was checked" (127.0.0.1) and "where the rebinding points"
 * (127.0.0.2); the name `rebind.example` exists only in the injected resolver, so the system resolver
 * cannot reach either. They speak raw TCP and record who connected: the TLS handshake then fails, which
 * does not matter here — which address the socket went to is the finding.
 */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGuardedFetch, type NetworkPolicy } from '../../../../src/core/net/guarded-fetch';
import { pinnedLookup } from '../../../../src/core/net/pinned-fetch';

interface Listener {
  server: net.Server;
  connections: number;
}

async function listen(host: string, port: number): Promise<Listener | undefined> {
  const l: Listener = { server: net.createServer(), connections: 0 };
  l.server.on('connection', (socket) => {
    l.connections++;
    socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      l.server.once('error', reject);
      l.server.listen(port, host, resolve);
    });
    return l;
  } catch {
    return undefined; // 127.0.0.2 is not configured on every system (macOS)
  }
}

describe('the guarded fetch connects to the address it checked', () => {
  let vetted: Listener;
  let rebound: Listener | undefined;
  let port: number;
  before(async () => {
    vetted = (await listen('127.0.0.1', 0))!;
    port = (vetted.server.address() as AddressInfo).port;
    rebound = await listen('127.0.0.2', port);
  });
  after(() => {
    vetted.server.close();
    rebound?.server.close();
  });

  it('a resolver answering differently the second time is asked once; the socket goes to the vetted address', async (t) => {
    // A proxy in the environment turns pinning off (the proxy resolves names): none for this case.
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
      const saved = process.env[name];
      delete process.env[name];
      t.after(() => {
        if (saved !== undefined) process.env[name] = saved;
      });
    }
    let lookups = 0;
    const policy: NetworkPolicy = {
      allowed: new Set(['loopback']),
      lookup: async () => (++lookups === 1 ? ['127.0.0.1'] : ['127.0.0.2']),
      origin: 'http://127.0.0.1',
    };
    const guarded = createGuardedFetch(policy, { timeoutMs: 5_000 });
    await assert.rejects(guarded(`https://rebind.example:${port}/.well-known/oauth-protected-resource`));
    assert.equal(lookups, 1, 'the name was resolved once, by the guard');
    assert.equal(vetted.connections, 1, 'the connection went to the vetted 127.0.0.1');
    assert.equal(rebound?.connections ?? 0, 0, 'nothing reached the rebound address');
  });
});

describe('pinnedLookup', () => {
  const pins = new Map([['rebind.example', ['::1', '127.0.0.1']]]);
  const lookup = pinnedLookup(pins);
  const call = (host: string, options: object) =>
    new Promise<{ err: unknown; address: unknown; family: number }>((resolve) =>
      lookup(host, options, (err, address, family) => resolve({ err, address, family })),
    );

  it('answers a pinned name from its vetted addresses: all, by family, or the first', async () => {
    assert.deepEqual((await call('REBIND.example', { all: true })).address, [
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
    assert.deepEqual(await call('rebind.example', { family: 4 }), {
      err: null,
      address: '127.0.0.1',
      family: 4,
    });
    assert.deepEqual(await call('rebind.example', {}), { err: null, address: '::1', family: 6 });
  });
  it('a family the vetted list lacks is not found, not resolved again', async () => {
    const only4 = pinnedLookup(new Map([['v4.example', ['127.0.0.1']]]));
    const err = await new Promise((resolve) => only4('v4.example', { family: 6 }, (e) => resolve(e)));
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOTFOUND');
  });
  it('a name the guard judged without resolving (localhost) goes to the system resolver', async () => {
    const r = await call('localhost', { all: true });
    assert.equal(r.err, null);
    assert.ok(Array.isArray(r.address) && r.address.length > 0);
  });
});
