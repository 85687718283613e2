import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { defaultAllowedHosts, hostCheck } from '../../../../src/servers/shared/host-check';

/** Runs the middleware on a request with these headers; returns the status it set, or 'next'. */
function probe(allowed: string[], headers: Record<string, string>): number | 'next' {
  let passed = false;
  const res = {
    statusCode: 200,
    headersSent: false,
    writeHead(status: number) {
      res.statusCode = status;
      return res;
    },
    end() {},
  };
  hostCheck(allowed)({ headers } as IncomingMessage, res as unknown as ServerResponse, () => {
    passed = true;
  });
  return passed ? 'next' : res.statusCode;
}

describe('hostCheck (DNS rebinding)', () => {
  const allowed = defaultAllowedHosts('127.0.0.1', 7482);

  it('allows the loopback names on our port', () => {
    assert.deepEqual(allowed, ['127.0.0.1:7482', 'localhost:7482', '[::1]:7482']);
    for (const host of ['127.0.0.1:7482', 'LOCALHOST:7482', '[::1]:7482'])
      assert.equal(probe(allowed, { host }), 'next', host);
  });

  it('rejects other hosts, other ports and a missing Host with 403', () => {
    for (const host of ['evil.example.com', 'evil.example.com:7482', '127.0.0.1:7481', '']) {
      assert.equal(probe(allowed, host ? { host } : {}), 403, host);
    }
  });

  it('rejects a foreign or opaque Origin even with a good Host', () => {
    assert.equal(probe(allowed, { host: '127.0.0.1:7482', origin: 'http://localhost:7482' }), 'next');
    assert.equal(probe(allowed, { host: '127.0.0.1:7482', origin: 'http://evil.example.com' }), 403);
    assert.equal(probe(allowed, { host: '127.0.0.1:7482', origin: 'null' }), 403);
  });

  it('matches default-port origins against port-less allow-list entries (Container Apps FQDN)', () => {
    assert.equal(
      probe(['app.example.io'], { host: 'app.example.io', origin: 'https://app.example.io' }),
      'next',
    );
  });
});
