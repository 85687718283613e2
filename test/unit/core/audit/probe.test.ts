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
