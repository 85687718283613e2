import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileSecretStore } from '../../../../../src/servers/secure/secrets/file-secret-store';
import { SecretError } from '../../../../../src/servers/secure/secrets/secret-store';

describe('FileSecretStore', () => {
  it('creates the file 0600 with two random demo secrets and reports metadata, never the value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sherpa-fs-'));
    try {
      const path = join(dir, 'nested', 'secrets.json');
      const store = new FileSecretStore(path);
      const meta = await store.getSecretMetadata('external-service-secret');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      const file = JSON.parse(await readFile(path, 'utf8'));
      assert.deepEqual(Object.keys(file.secrets).sort(), ['demo-api-key', 'external-service-secret']);
      const value = file.secrets['external-service-secret'].value as string;
      assert.ok(value.length >= 32);
      assert.notEqual(value, file.secrets['demo-api-key'].value);
      assert.equal(meta.fingerprint, createHash('sha256').update(value).digest('hex').slice(0, 8));
      assert.equal(meta.valueLength, value.length);
      assert.ok(!JSON.stringify(meta).includes(value));
      // A second store reads the same file rather than regenerating it.
      assert.equal(
        (await new FileSecretStore(path).getSecretMetadata('external-service-secret')).fingerprint,
        meta.fingerprint,
      );
      await assert.rejects(
        store.getSecretMetadata('toString'),
        (e: unknown) => (e as SecretError).code === 'secret_not_found',
      );
      await assert.rejects(
        store.getSecretMetadata('a/b'),
        (e: unknown) => (e as SecretError).code === 'invalid_secret_name',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
