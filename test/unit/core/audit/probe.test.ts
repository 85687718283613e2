import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRpcSuccess, type ProbeResult } from '../../../../src/core/audit/probe';

const r = (body: string, status = 200): ProbeResult => ({
  status,
  headers: {},
  body,
  evidence: { request: '' },
});

describe('isRpcSuccess (review M2: an open server must not pass as "refused")', () => {
  it('reads a JSON body', () => {
    assert.equal(isRpcSuccess(r('{"jsonrpc":"2.0","id":1,"result":{}}')), true);
    assert.equal(isRpcSuccess(r('{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"x"}}')), false);
    assert.equal(isRpcSuccess(r('{"jsonrpc":"2.0","id":1,"result":{}}', 401)), false);
  });
  it('reads every SSE event: a priming event first, data without a space, multi-line data', () => {
    assert.equal(
      isRpcSuccess(r('id: 1\ndata: \n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n')),
      true,
    );
    assert.equal(isRpcSuccess(r('data:{"jsonrpc":"2.0","id":1,"result":{}}\n\n')), true);
    assert.equal(isRpcSuccess(r('data: {"jsonrpc":"2.0",\ndata: "id":1,"result":{}}\r\n\r\n')), true);
    assert.equal(
      isRpcSuccess(r('data: {"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m"}}\n\n')),
      false,
    );
  });
});

describe('probe: Authorization values sent verbatim (bearer edge cases)', () => {
  it('two values are two header lines on the wire; evidence names them by label only', async () => {
    const http = await import('node:http');
    const { probe } = await import('../../../../src/core/audit/probe');
    let seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen = req.rawHeaders.filter((_v, i) => i % 2 === 1 && /^authorization$/i.test(req.rawHeaders[i - 1]!));
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const secret = 'Zk3q9VtX2bR8mL4pW7sY1cN6dH0jK5fA3gE8uI2oQ';
      const res = await probe(`http://127.0.0.1:${port}/mcp`, {
        authorization: { values: ['Bearer first-one', `bearer ${secret}`], label: 'two headers' },
      });
      assert.deepEqual(seen, ['Bearer first-one', `bearer ${secret}`]);
      assert.equal(res.status, 401);
      assert.match(res.evidence.request, /Authorization: <two headers>/);
      assert.equal(res.evidence.request.includes(secret), false);
    } finally {
      server.close();
    }
  });
});
