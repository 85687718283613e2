import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leafStillGood, loadOrCreateLabCertificates } from '../../../../src/servers/authz/lab-ca';

const NAMES = ['login.microsoftonline.com'];
const DAY = 24 * 3600 * 1000;

async function withDir(run: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'sherpa-ca-unit-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('lab-ca', () => {
  test('creates a name-constrained CA and a leaf for the names; private keys 0600', () =>
    withDir(async (dir) => {
      const certs = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      const ca = new X509Certificate(certs.caPem);
      assert.ok(ca.ca);
      const leaf = new X509Certificate(await readFile(join(dir, 'lab-ca', 'login.microsoftonline.com.crt')));
      assert.equal(leaf.subjectAltName, 'DNS:login.microsoftonline.com');
      assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
      assert.ok(!leaf.ca);
      for (const f of ['ca.key', 'login.microsoftonline.com.key']) {
        assert.equal((await stat(join(dir, 'lab-ca', f))).mode & 0o777, 0o600, f);
      }
      assert.equal((await stat(join(dir, 'lab-ca'))).mode & 0o777, 0o700);
      assert.ok(
        certs.certPem.startsWith(
          await readFile(join(dir, 'lab-ca', 'login.microsoftonline.com.crt'), 'utf8'),
        ),
      );
      assert.ok(certs.certPem.endsWith(certs.caPem), 'the chain ends with the CA');
    }));

  test('a second start reuses CA and leaf; near expiry only the leaf is renewed', () =>
    withDir(async (dir) => {
      const first = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      const again = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      assert.equal(again.caPem, first.caPem);
      assert.equal(again.leafFingerprint, first.leafFingerprint);
      // 85 days later the 90-day leaf has < 7 days left: a new leaf from the same CA.
      const later = await loadOrCreateLabCertificates(dir, {
        dnsNames: NAMES,
        now: () => new Date(Date.now() + 85 * DAY),
      });
      assert.equal(later.caPem, first.caPem);
      assert.notEqual(later.leafFingerprint, first.leafFingerprint);
    }));

  test('a leaf for other names, or from another CA, is not good', () =>
    withDir(async (dir) => {
      const a = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      const leaf = await readFile(join(dir, 'lab-ca', 'login.microsoftonline.com.crt'), 'utf8');
      assert.ok(leafStillGood(leaf, a.caPem, NAMES, new Date()));
      assert.ok(!leafStillGood(leaf, a.caPem, ['other.example'], new Date()));
      await withDir(async (other) => {
        const b = await loadOrCreateLabCertificates(other, { dnsNames: NAMES });
        assert.ok(!leafStillGood(leaf, b.caPem, NAMES, new Date()));
      });
      assert.ok(!leafStillGood('not a certificate', a.caPem, NAMES, new Date()));
    }));

  test('the CA is replaced when it is not constrained to the names asked for', () =>
    withDir(async (dir) => {
      const a = await loadOrCreateLabCertificates(dir, { dnsNames: ['other.example'] });
      const b = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      assert.notEqual(a.caPem, b.caPem);
    }));
});
