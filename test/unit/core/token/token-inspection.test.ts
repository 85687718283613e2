import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose';
import {
  decodeToken,
  describeClaim,
  formatRelative,
  inspectToken,
  type TokenCheck,
} from '../../../../src/core/token/token-inspection';
import { isSherpaError } from '../../../../src/core/errors';

const NOW = 1_800_000_000;
const ISS = 'http://127.0.0.1:7480/tid/v2.0';
const AUD = 'c0a8f3e2-71b4-4d69-a5e0-3f92b8d61c47';
const claims = {
  iss: ISS,
  aud: AUD,
  scp: 'access_as_user',
  tid: 'tid',
  oid: 'o1',
  preferred_username: 'alice@lab',
};

async function signed(
  payload: Record<string, unknown>,
  times: { exp?: number; nbf?: number } = { exp: NOW + 42 * 60, nbf: NOW - 60 },
) {
  const { privateKey } = await generateKeyPair('RS256');
  let jwt = new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt(NOW - 60);
  if (times.exp !== undefined) jwt = jwt.setExpirationTime(times.exp);
  if (times.nbf !== undefined) jwt = jwt.setNotBefore(times.nbf);
  return jwt.sign(privateKey);
}
const byId = (checks: TokenCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c]));
const expect = {
  audiences: [AUD, `api://${AUD}`],
  issuers: [ISS],
  requiredScope: 'access_as_user',
  tenants: ['tid'],
  now: NOW,
};

test('a good lab-shaped token passes every check', async () => {
  const checks = byId(inspectToken(decodeToken(await signed(claims)), expect));
  for (const id of ['audience', 'issuer', 'expiry', 'not-before', 'scope', 'algorithm', 'tenant']) {
    assert.equal(checks[id]!.status, 'pass', `${id}: ${checks[id]!.detail}`);
  }
  assert.match(checks.expiry!.detail, /in 42 min/);
});

test('a token for another API fails the audience check (confused deputy)', async () => {
  const checks = byId(inspectToken(decodeToken(await signed({ ...claims, aud: 'other-api' })), expect));
  assert.equal(checks.audience!.status, 'fail');
  assert.match(checks.audience!.detail, /another API/);
});

test('expired, not-yet-valid, wrong issuer, missing scope and foreign tenant fail', async () => {
  const token = await signed(
    { ...claims, iss: 'https://evil/v2.0', scp: 'User.Read', tid: 'other' },
    { exp: NOW - 7200, nbf: NOW + 600 },
  );
  const checks = byId(inspectToken(decodeToken(token), expect));
  assert.equal(checks.expiry!.status, 'fail');
  assert.match(checks.expiry!.detail, /expired 2 h ago/);
  assert.equal(checks['not-before']!.status, 'fail');
  assert.equal(checks.issuer!.status, 'fail');
  assert.equal(checks.scope!.status, 'fail');
  assert.match(checks.scope!.detail, /has: User.Read/);
  assert.equal(checks.tenant!.status, 'fail');
});

test('alg none fails the algorithm check; missing exp/aud fail; no expectations → unknown', () => {
  const token = new UnsecuredJWT({ iss: ISS, scope: 'a b' }).encode();
  const checks = byId(inspectToken(decodeToken(token), { now: NOW }));
  assert.equal(checks.algorithm!.status, 'fail');
  assert.match(checks.algorithm!.detail, /unsigned/);
  assert.equal(checks.expiry!.status, 'fail');
  assert.equal(checks.audience!.status, 'fail');
  assert.equal(checks.issuer!.status, 'unknown');
  assert.equal(checks.scope!.status, 'unknown');
  assert.match(checks.scope!.detail, /a b/);
});

test('decodeToken accepts a "Bearer " prefix and rejects opaque tokens with TOKEN_INVALID', async () => {
  const token = await signed(claims);
  assert.equal(decodeToken(`Bearer ${token}\n`).claims.oid, 'o1');
  assert.throws(
    () => decodeToken('camp1_demo_token_INSECURE'),
    (e) => isSherpaError(e, 'TOKEN_INVALID'),
  );
});

test('describeClaim labels known claims and renders times with relative text', () => {
  assert.deepEqual(describeClaim('aud', ['a', 'b'], NOW), {
    name: 'aud',
    label: 'Audience (aud)',
    value: 'a, b',
  });
  const exp = describeClaim('exp', NOW + 42 * 60, NOW);
  assert.equal(exp.label, 'Expires (exp)');
  assert.match(exp.value, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(expires in 42 min\)$/);
  assert.match(describeClaim('exp', NOW - 30, NOW).value, /expired 30 s ago/);
  assert.match(describeClaim('iat', NOW - 3 * 86400, NOW).value, /\(3 d ago\)/);
  assert.equal(describeClaim('custom', { a: 1 }, NOW).value, '{"a":1}');
});

test('formatRelative picks sensible units', () => {
  assert.equal(formatRelative(2), 'just now');
  assert.equal(formatRelative(45), 'in 45 s');
  assert.equal(formatRelative(-3600 * 5), '5 h ago');
});
