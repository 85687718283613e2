import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, mock, test } from 'node:test';
import { runLiveProbes } from '../../../../src/core/azure/live-probes';

// A server whose challenge names the cloud metadata address as its resource_metadata: a client that
// fetched every URL a server names would make the request for it (SSRF, RFC 9728 §7.7).
const METADATA_URL = 'https://169.254.169.254/latest/meta-data/iam/security-credentials/';
let server: Server;
let url = '';

before(async () => {
  server = createServer((req, res) => {
    if (req.method === 'POST') {
      res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${METADATA_URL}"` });
      return void res.end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
after(() => server.close());

test("Verify's live probes send the challenge's resource_metadata through the guarded fetch: a metadata address is refused, never requested", async () => {
  const original = globalThis.fetch;
  const fetched: string[] = [];
  // Every fetch is seen; one to the metadata address is answered here instead of leaving the machine.
  const spy = mock.method(globalThis, 'fetch', (input: string | URL | Request, init?: RequestInit) => {
    const href = input instanceof Request ? input.url : String(input);
    fetched.push(href);
    if (href.includes('169.254.169.254')) return Promise.reject(new Error('reached the metadata address'));
    return original(input, init);
  });
  try {
    const checks = await runLiveProbes({ url, timeoutMs: 2_000 });
    assert.deepEqual(
      fetched.filter((h) => h.includes('169.254.169.254')),
      [],
      'the metadata address was requested',
    );
    const prm = checks.find((c) => c.id === 'prm-resource');
    assert.equal(prm?.status, 'fail');
    assert.match(prm.evidence, /169\.254\.169\.254.*link-local address/, prm.evidence);
    assert.equal(checks.find((c) => c.id === 'probe-no-token')?.status, 'pass');
  } finally {
    spy.mock.restore();
  }
});
