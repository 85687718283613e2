/**
 * The lab proxy in-process, with node's own `net.connect` and `dns.lookup` watched: a refused target must
 * cause neither (no name resolved, no socket opened), a mapped one exactly one connect to the lab port.
 */
import dns from 'node:dns';
import net from 'node:net';
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../../src/lab/lab';
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
  // A service of the machine that is not the lab's (a database, a debugger port).
  let unrelated: net.Server;
  let unrelatedPort = 0;
  let unrelatedConnections = 0;

  before(async () => {
    upstream = net.createServer((s) => s.end());
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as net.AddressInfo).port;
    unrelated = net.createServer((s) => {
      unrelatedConnections++;
      s.end();
    });
    await new Promise<void>((r) => unrelated.listen(0, '127.0.0.1', r));
    unrelatedPort = (unrelated.address() as net.AddressInfo).port;
    proxy = await startLabProxy({
      port: 0,
      tunnels: { 'login.microsoftonline.com:443': { host: '127.0.0.1', port: upstreamPort } },
      loopbackPorts: [upstreamPort],
    });
  });
  after(async () => {
    await proxy.close();
    await new Promise<void>((r) => upstream.close(() => r()));
    await new Promise<void>((r) => unrelated.close(() => r()));
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

  test("issue 16: a loopback port that is not the lab's gets 403, and that server sees no connection", async () => {
    const connect = mock.method(net, 'connect');
    try {
      for (const host of ['127.0.0.1', 'localhost', '127.0.0.2']) {
        assert.equal(
          await connectThrough(proxy.port, `${host}:${unrelatedPort}`),
          'HTTP/1.1 403 Forbidden',
          host,
        );
      }
      const plain = await rawGet(proxy.port, `http://127.0.0.1:${unrelatedPort}/`);
      assert.match(plain, /^HTTP\/1\.1 403/);
      assert.equal(connect.mock.callCount(), 0);
      assert.equal(unrelatedConnections, 0);
      // The lab's own port on loopback still passes.
      assert.equal(
        await connectThrough(proxy.port, `127.0.0.1:${upstreamPort}`),
        'HTTP/1.1 200 Connection Established',
      );
      // …and so does a port the lab's parent added.
      proxy.allowLoopbackPort(unrelatedPort);
      assert.equal(
        await connectThrough(proxy.port, `127.0.0.1:${unrelatedPort}`),
        'HTTP/1.1 200 Connection Established',
      );
    } finally {
      connect.mock.restore();
    }
  });

  test('issue 16: the proxy listens on 127.0.0.1 only', () => {
    assert.equal(proxy.url, `http://127.0.0.1:${proxy.port}`);
  });
});

describe('issue 16: `sherpa lab --entra --host 0.0.0.0`', () => {
  test("the proxy still listens on 127.0.0.1 only, and reaches the lab's ports but no other", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sherpa-proxy-host-'));
    const unrelated = net.createServer((s) => s.end());
    await new Promise<void>((r) => unrelated.listen(0, '127.0.0.1', r));
    const lab = await startLab({
      host: '0.0.0.0',
      entra: true,
      dataDir,
      ports: { authorizationServer: 0, vulnerable: 0, secure: 0, proxy: 0 },
    });
    try {
      const proxyUrl = new URL(lab.entra!.proxyUrl);
      assert.equal(proxyUrl.hostname, '127.0.0.1');
      const port = Number(proxyUrl.port);
      if (process.platform === 'linux') {
        // Linux answers all of 127/8: a wildcard bind would accept on 127.0.0.2, a 127.0.0.1 bind refuses.
        const code = await new Promise<string>((resolve) => {
          const s = originalConnect(port, '127.0.0.2', () => {
            s.destroy();
            resolve('connected');
          });
          s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        });
        assert.equal(code, 'ECONNREFUSED');
      }
      for (const url of [lab.secure, lab.vulnerable, lab.entra!.tlsOrigin]) {
        assert.equal(
          await connectThrough(port, `127.0.0.1:${new URL(url).port}`),
          'HTTP/1.1 200 Connection Established',
          url,
        );
      }
      const other = (unrelated.address() as net.AddressInfo).port;
      assert.equal(await connectThrough(port, `127.0.0.1:${other}`), 'HTTP/1.1 403 Forbidden');
    } finally {
      await lab.close();
      await new Promise<void>((r) => unrelated.close(() => r()));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

function rawGet(port: number, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = originalConnect(port, '127.0.0.1', () =>
      s.write(`GET ${url} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    s.setTimeout(5_000, () => reject(new Error('no answer')));
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}
