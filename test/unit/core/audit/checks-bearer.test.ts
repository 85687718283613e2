import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyCredential, judgeRefusal } from '../../../../src/core/audit/checks-bearer';
import type { ProbeResult } from '../../../../src/core/audit/probe';

const result = (
  status: ProbeResult['status'],
  headers: Record<string, string> = {},
  body = '',
): ProbeResult => ({
  status,
  headers,
  body,
  evidence: { request: 'POST http://127.0.0.1/mcp', status },
});
const unsignedJwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
const AS = 'https://as.example.com';

describe('bearer edge cases: judging a refusal', () => {
  it('401 invalid_token passes; 401 without the error code warns', () => {
    assert.equal(
      judgeRefusal(result(401, { 'www-authenticate': 'Bearer error="invalid_token"' }), 'x').status,
      'pass',
    );
    const bare = judgeRefusal(result(401, { 'www-authenticate': 'Bearer realm="mcp"' }), 'x');
    assert.equal(bare.status, 'warn');
    assert.match(bare.detail, /without error="invalid_token"/);
  });

  it('any 5xx fails (a MUST), and an accepted credential fails as ACCEPTED', () => {
    for (const s of [500, 502, 503]) assert.equal(judgeRefusal(result(s), 'x').status, 'fail', String(s));
    const accepted = judgeRefusal(
      result(200, { 'content-type': 'application/json' }, '{"jsonrpc":"2.0","id":1,"result":{}}'),
      'a random string',
    );
    assert.deepEqual(accepted, { status: 'fail', detail: 'ACCEPTED a random string' });
  });

  it('an answer the probe names as acceptable passes with its reason; other 4xx warn', () => {
    const ok = judgeRefusal(result(431), 'x', (r) => (r.status === 431 ? 'too large' : undefined));
    assert.deepEqual(ok, { status: 'pass', detail: 'too large' });
    assert.equal(judgeRefusal(result(431), 'x').status, 'warn');
    assert.equal(judgeRefusal(result(403), 'x').status, 'warn');
  });
});

describe('bearer edge cases: what the accepted credential is', () => {
  const now = Math.floor(Date.now() / 1000);
  it('a JWT of the advertised authorization server with exp passes', () => {
    assert.equal(classifyCredential(unsignedJwt({ iss: AS, exp: now + 600 }), [AS]).status, 'pass');
  });
  it('a JWT of another issuer fails: not a token of its authorization server', () => {
    const r = classifyCredential(unsignedJwt({ iss: 'https://evil.example', exp: now + 600 }), [AS]);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /issued by https:\/\/evil\.example, not by the authorization server/);
  });
  it('a JWT without exp fails as a static key in JWT form', () => {
    assert.match(classifyCredential(unsignedJwt({ iss: AS }), [AS]).detail, /never expires/);
  });
  it('an opaque random token cannot be judged; a key-shaped one is named a shared static key', () => {
    assert.equal(classifyCredential('Zk3q9VtX2bR8mL4pW7sY1cN6dH0jK5fA3gE8uI2oQ', [AS]).status, 'skip');
    for (const key of [
      'sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
      'short-key-123',
      'my-team-static-token-for-mcp',
    ])
      assert.match(classifyCredential(key, [AS]).detail, /LOOKS LIKE A SHARED STATIC KEY/, key);
  });
});
