import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLabStore } from '../../../../src/servers/authz/lab-store';

test('stores, finds and forgets models by id; models do not share ids', async () => {
  const store = createLabStore();
  const codes = store('AuthorizationCode');
  const sessions = store('Session');
  await codes.upsert('c1', { jti: 'c1', accountId: 'alice' }, 60);
  assert.equal((await codes.find('c1'))?.accountId, 'alice');
  assert.equal(await sessions.find('c1'), undefined);
  await codes.destroy('c1');
  assert.equal(await codes.find('c1'), undefined);
});

test('entries expire after expiresIn seconds', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const codes = createLabStore()('AuthorizationCode');
  await codes.upsert('c1', { jti: 'c1' }, 10);
  t.mock.timers.tick(9_000);
  assert.ok(await codes.find('c1'));
  t.mock.timers.tick(2_000);
  assert.equal(await codes.find('c1'), undefined);
});

test('consume marks the payload consumed (one-time codes)', async () => {
  const codes = createLabStore()('AuthorizationCode');
  await codes.upsert('c1', { jti: 'c1' }, 60);
  await codes.consume('c1');
  assert.equal(typeof (await codes.find('c1'))?.consumed, 'number');
});

test('secondary look-ups by interaction uid and device user code', async () => {
  const store = createLabStore();
  const sessions = store('Session');
  const devices = store('DeviceCode');
  await sessions.upsert('s1', { jti: 's1', uid: 'u-1' }, 60);
  await devices.upsert('d1', { jti: 'd1', userCode: 'ABCD-EFGH' }, 60);
  assert.equal((await sessions.findByUid('u-1'))?.jti, 's1');
  assert.equal((await devices.findByUserCode('ABCD-EFGH'))?.jti, 'd1');
  assert.equal(await devices.findByUserCode('NOPE-NOPE'), undefined);
});

test('revokeByGrantId removes everything issued under the grant, across models', async () => {
  const store = createLabStore();
  const refresh = store('RefreshToken');
  const codes = store('AuthorizationCode');
  await refresh.upsert('r1', { jti: 'r1', grantId: 'g1' }, 600);
  await codes.upsert('c1', { jti: 'c1', grantId: 'g1' }, 60);
  await codes.upsert('c2', { jti: 'c2', grantId: 'g2' }, 60);
  await refresh.revokeByGrantId('g1');
  assert.equal(await refresh.find('r1'), undefined);
  assert.equal(await codes.find('c1'), undefined);
  assert.ok(await codes.find('c2'));
});

test('issue 16: a dynamically registered client is gone after its TTL; a secret says when', async () => {
  let now = 1_000_000_000_000;
  const store = createLabStore({ clientTtlSeconds: 3600, now: () => now });
  const clients = store('Client');
  await clients.upsert('public', { client_id: 'public' });
  await clients.upsert('confidential', { client_id: 'confidential', client_secret: 's' });
  assert.equal((await clients.find('confidential'))?.client_secret_expires_at, now / 1000 + 3600);
  // Other models keep the lifetime oidc-provider gives them (none here).
  await store('Grant').upsert('g', { jti: 'g' });
  now += 3600 * 1000 - 1;
  assert.ok(await clients.find('public'));
  now += 1;
  assert.equal(await clients.find('public'), undefined);
  assert.equal(await clients.find('confidential'), undefined);
  assert.ok(await store('Grant').find('g'));
});
