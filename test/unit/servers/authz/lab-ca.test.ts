import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import 'reflect-metadata';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, chown, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { isSherpaError } from '../../../../src/core/errors';
import { leafStillGood, loadOrCreateLabCertificates } from '../../../../src/servers/authz/lab-ca';

const NAMES = ['login.microsoftonline.com'];
const DAY = 24 * 3600 * 1000;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

async function importCaKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return (await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign'])) as unknown as CryptoKey;
}

/** What an attacker holding the lab CA's key would make: a server certificate for an IP address. */
async function leafForIp(dir: string, ip: string) {
  const caPem = await readFile(join(dir, 'lab-ca', 'ca.crt'), 'utf8');
  const caCert = new x509.X509Certificate(caPem);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: 'CN=Forged by the CA key',
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + DAY),
    publicKey: keys.publicKey,
    signingKey: await importCaKey(await readFile(join(dir, 'lab-ca', 'ca.key'), 'utf8')),
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: ip }]),
    ],
  });
  const key = createPrivateKey({
    key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    format: 'der',
    type: 'pkcs8',
  }).export({ format: 'pem', type: 'pkcs8' });
  return { caPem, cert: cert.toString('pem'), key: key.toString() };
}

/** A TLS handshake trusting only `ca`, to the leaf's own address: 'authorized' or `code: message`. */
async function handshake(cert: string, key: string, ca: string, host = '127.0.0.1'): Promise<string> {
  const server = tls.createServer({ cert, key }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string>((resolve) => {
      const socket = tls.connect({ host, port, ca }, () => {
        socket.destroy();
        resolve('authorized');
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(`${e.code}: ${e.message}`));
    });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

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

  test("issue 16: a leaf for an IP address signed with the CA key is refused by node's TLS verification", () =>
    withDir(async (dir) => {
      await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      const forged = await leafForIp(dir, '127.0.0.1');
      // node has no code of its own for OpenSSL's X509_V_ERR_EXCLUDED_VIOLATION: it says UNSPECIFIED and
      // keeps OpenSSL's text. Without the exclusion the handshake is 'authorized'.
      assert.equal(
        await handshake(forged.cert, forged.key, forged.caPem),
        'UNSPECIFIED: excluded subtree violation',
      );
      const ipv6 = await leafForIp(dir, '::1');
      assert.match(await handshake(ipv6.cert, ipv6.key, ipv6.caPem, '::1'), /excluded subtree violation/);
    }));

  test('issue 16: a stored CA that permits more names than asked for is replaced, not reused', () =>
    withDir(async (dir) => {
      const wider = await loadOrCreateLabCertificates(dir, { dnsNames: [...NAMES, 'graph.microsoft.com'] });
      const again = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      assert.notEqual(again.caPem, wider.caPem);
      const leaf = new X509Certificate(again.certPem);
      assert.ok(leaf.verify(new X509Certificate(again.caPem).publicKey));
    }));

  test('issue 16: a stored CA of an older lab (DNS names only, no IP exclusion) is replaced', () =>
    withDir(async (dir) => {
      const first = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      // Re-sign the stored CA's key into the old shape: same key, same names, no excluded IP ranges.
      const keyPem = await readFile(join(dir, 'lab-ca', 'ca.key'), 'utf8');
      const publicKey = await new x509.X509Certificate(first.caPem).publicKey.export();
      const old = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: '02',
        name: 'CN=Sherpa Lab CA (local only), O=Sherpa lab',
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 365 * DAY),
        keys: { privateKey: await importCaKey(keyPem), publicKey },
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.Extension(
            '2.5.29.30',
            true,
            AsnConvert.serialize(
              new NameConstraints({
                permittedSubtrees: new GeneralSubtrees(
                  NAMES.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
                ),
              }),
            ),
          ),
        ],
      });
      await writeFile(join(dir, 'lab-ca', 'ca.crt'), old.toString('pem'));
      const again = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      assert.notEqual(again.caPem.trim(), old.toString('pem').trim());
      const ca = new X509Certificate(again.caPem);
      const life = new Date(ca.validTo).getTime() - new Date(ca.validFrom).getTime();
      assert.ok(life <= 366 * DAY, 'one year at most');
    }));

  test('issue 16: the CA is renewed 30 days before it expires', () =>
    withDir(async (dir) => {
      const first = await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
      const at = (days: number) => ({ dnsNames: NAMES, now: () => new Date(Date.now() + days * DAY) });
      assert.equal((await loadOrCreateLabCertificates(dir, at(300))).caPem, first.caPem);
      const renewed = await loadOrCreateLabCertificates(dir, at(340));
      assert.notEqual(renewed.caPem, first.caPem);
    }));

  test('issue 16: a data folder writable by group or others is refused, naming the folder and the fix', () =>
    withDir(async (dir) => {
      for (const mode of [0o777, 0o775]) {
        await chmod(dir, mode);
        await assert.rejects(loadOrCreateLabCertificates(dir, { dnsNames: NAMES }), (err) => {
          assert.ok(isSherpaError(err, 'DATA_DIR_UNSAFE'));
          assert.ok(err.message.includes(dir));
          assert.match(err.hint ?? '', /chmod 700/);
          return true;
        });
      }
      await chmod(dir, 0o700);
      await loadOrCreateLabCertificates(dir, { dnsNames: NAMES });
    }));

  test('issue 16: a data folder owned by another user is refused (run as root: chown possible)', (t) =>
    withDir(async (dir) => {
      if (process.getuid?.() !== 0) return t.skip('needs root to give the folder away');
      await chown(dir, 4242, 4242);
      await assert.rejects(loadOrCreateLabCertificates(dir, { dnsNames: NAMES }), (err) => {
        assert.ok(isSherpaError(err, 'DATA_DIR_UNSAFE'));
        assert.match(err.hint ?? '', /chown/);
        return true;
      });
    }));
});
