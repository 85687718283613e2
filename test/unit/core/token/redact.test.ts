import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact, registerSecret } from '../../../../src/core/token/redact';

// A JWT-shaped string built at test time (never a real or signed token in the repo).
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = `${b64({ alg: 'RS256' })}.${b64({ sub: 'alice' })}.${Buffer.from('signature-bytes-here').toString('base64url')}`;

test('masks JWTs but keeps a recognisable tail', () => {
  const out = redact(`token=${jwt} end`);
  assert.ok(!out.includes(b64({ sub: 'alice' })));
  assert.match(out, /^token=<jwt …[^>\s]+> end$/);
});

test('masks bearer credentials in headers', () => {
  assert.equal(redact('Authorization: Bearer camp1_demo_token_INSECURE'), 'Authorization: Bearer <redacted>');
});

test('masks secret fields in JSON and form bodies', () => {
  const out = redact('{"refresh_token":"abcdef123456","password":"hunter22"} code_verifier=xyzxyzxyz');
  // Exact output: the names stay (a reader sees what was there), each value is replaced, nothing else moves.
  assert.equal(out, '{"refresh_token":"<redacted>","password":"<redacted>"} code_verifier=<redacted>');
});

test('masks authorization codes in redirect URLs, not JSON error codes', () => {
  const out = redact('GET /cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz {"code":"invalid_token"}');
  assert.equal(out, 'GET /cb?code=<redacted>&state=xyz {"code":"invalid_token"}');
});

test('masks registered opaque secrets wherever they appear', () => {
  registerSecret('opaque-static-secret-42');
  assert.equal(redact('x=opaque-static-secret-42;'), 'x=<redacted>;');
});

test('keeps WWW-Authenticate challenge parameters readable', () => {
  const header =
    'Bearer resource_metadata="http://127.0.0.1:7482/.well-known/oauth-protected-resource/mcp", error="invalid_token"';
  assert.equal(redact(header), header);
});
