import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import {
  activateDueKey,
  jwksPath,
  loadOrCreateCookieKeys,
  loadOrCreateSigningKeys,
  rotateSigningKeys,
} from '../../../../src/servers/authz/signing-keys';
import { isSherpaError } from '../../../../src/core/errors';

async function withDataDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sherpa-keys-unit-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('signing-keys', () => {
  test('creates one private RS256 key with a thumbprint kid, mode 0600, and reloads it', () =>
    withDataDir(async (dir) => {
      const created = await loadOrCreateSigningKeys(dir);
      assert.equal(created.keys.length, 1);
      const [key] = created.keys;
      assert.ok(key?.d, 'private key material present');
      assert.equal(key?.alg, 'RS256');
      assert.equal(key?.kid, await calculateJwkThumbprint(key!));
      assert.equal((await stat(jwksPath(dir))).mode & 0o777, 0o600);
      const again = await loadOrCreateSigningKeys(dir);
      assert.deepEqual(again, created);
    }));

  test('rotation puts the new key first and keeps at most two', () =>
    withDataDir(async (dir) => {
      const original = await loadOrCreateSigningKeys(dir);
      const first = await rotateSigningKeys(dir);
      let jwks = await loadOrCreateSigningKeys(dir);
      assert.deepEqual(
        jwks.keys.map((k) => k.kid),
        [first.kid, original.keys[0]?.kid],
      );
      const second = await rotateSigningKeys(dir);
      jwks = await loadOrCreateSigningKeys(dir);
      assert.deepEqual(
        jwks.keys.map((k) => k.kid),
        [second.kid, first.kid],
      );
      assert.equal((await stat(jwksPath(dir))).mode & 0o777, 0o600);
    }));

  test('a delayed rotation publishes the new key second and activates it when due (trimmed to two)', () =>
    withDataDir(async (dir) => {
      const original = await loadOrCreateSigningKeys(dir);
      const now = Date.now();
      const { kid, activatesAt } = await rotateSigningKeys(dir, { activateInMs: 60_000, now });
      assert.equal(activatesAt, now + 60_000);
      const pending = await loadOrCreateSigningKeys(dir);
      assert.deepEqual(
        pending.keys.map((k) => k.kid),
        [original.keys[0]?.kid, kid],
        'current key still signs (first); the new one is published',
      );
      assert.deepEqual(pending.next, { kid, activatesAt });
      assert.equal(activateDueKey(pending, activatesAt - 1), pending, 'nothing due yet');
      const active = activateDueKey(pending, activatesAt);
      assert.deepEqual(
        active.keys.map((k) => k.kid),
        [kid, original.keys[0]?.kid],
      );
      assert.equal(active.next, undefined);
    }));

  test('a due rotation is applied and persisted when the keys are loaded', () =>
    withDataDir(async (dir) => {
      await loadOrCreateSigningKeys(dir);
      const { kid } = await rotateSigningKeys(dir, { activateInMs: 1, now: Date.now() - 1000 });
      const loaded = await loadOrCreateSigningKeys(dir);
      assert.equal(loaded.keys[0]?.kid, kid);
      const stored = JSON.parse(await readFile(jwksPath(dir), 'utf8')) as {
        keys: { kid: string }[];
        next?: unknown;
      };
      assert.equal(stored.keys[0]?.kid, kid);
      assert.equal(stored.next, undefined);
    }));

  test('a corrupt jwks.json is an error with a stable code, not a silent new key', () =>
    withDataDir(async (dir) => {
      await writeFile(jwksPath(dir), '{"keys":[{"kty":"RSA"}]}');
      await assert.rejects(
        loadOrCreateSigningKeys(dir),
        (err: unknown) => isSherpaError(err, 'SIGNING_KEYS_UNREADABLE') && err.details?.file === 'jwks',
      );
      await writeFile(jwksPath(dir), 'not json');
      await assert.rejects(
        loadOrCreateSigningKeys(dir),
        (err: unknown) => isSherpaError(err, 'SIGNING_KEYS_UNREADABLE') && err.details?.file === 'jwks',
      );
    }));

  test('cookie keys are random, persisted with mode 0600', () =>
    withDataDir(async (dir) => {
      const keys = await loadOrCreateCookieKeys(dir);
      assert.equal(keys.length, 1);
      assert.ok((keys[0] ?? '').length >= 40);
      assert.deepEqual(await loadOrCreateCookieKeys(dir), keys);
      const file = join(dir, 'cookie-keys.json');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), keys);
    }));
});
