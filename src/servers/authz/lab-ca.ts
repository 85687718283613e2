// @peculiar/x509 2.x resolves its services through tsyringe, which needs the Reflect metadata polyfill
// loaded before it; the library leaves that choice to the application.
import 'reflect-metadata';
import { createHash, createPrivateKey, createPublicKey, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { assertPrivateFolder } from '../shared/private-folder';

/**
 * The lab's own certificate authority and the TLS certificate it issues for the names the lab answers as
 * (`login.microsoftonline.com` in Entra mode). Kept in `{dataDir}/lab-ca/`: `ca.crt` (public, give it to
 * clients as extra trust), `ca.key` and `{name}.key` (private, mode 0600), `{name}.crt`.
 *
 * The CA is name-constrained (RFC 5280 §4.2.1.10) to exactly the DNS names the lab serves, and every IP
 * address is excluded (`0.0.0.0/0`, `::/0`): a DNS-only constraint leaves IP names unconstrained, so a CA
 * without the exclusion could still sign for `127.0.0.1` or an address of Entra's. It is meant for
 * per-process trust (`NODE_EXTRA_CA_CERTS`, an editor's own CA setting), not an OS trust store. It lives one
 * year and is replaced 30 days before that, or at once when its constraints are not exactly these. The
 * data folder must be the user's alone (shared/private-folder.ts): a key planted there would be trusted.
 * Certificates are made by @peculiar/x509 over WebCrypto; no ASN.1 by hand.
 */
export interface LabCertificates {
  /** Path of the CA certificate (PEM): what `NODE_EXTRA_CA_CERTS`, `http.systemCertificates` etc. trust. */
  caPath: string;
  caPem: string;
  /** The leaf certificate (PEM, chain = leaf + CA) and its private key (PKCS#8 PEM) for the TLS server. */
  certPem: string;
  keyPem: string;
  /** SHA-256 fingerprint of the leaf (`AB:CD:…`), for logs: which certificate is in use. */
  leafFingerprint: string;
}

export interface LabCertificateOptions {
  /** DNS names of the leaf (subjectAltName) and of the CA's permitted subtrees. */
  dnsNames: string[];
  /** Renew the leaf when fewer than this many days remain. Default 7. */
  renewBeforeDays?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

const CA_DIR = 'lab-ca';
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;
const CA_DAYS = 365;
/** A CA with fewer days left is replaced (and its leaves with it) at the next start. */
const CA_RENEW_DAYS = 30;
const LEAF_DAYS = 90;
/** RFC 5280 §4.2.1.10: an iPAddress subtree is address + mask; all zeros = every IPv4 / IPv6 address. */
const EXCLUDED_IP_RANGES = ['0.0.0.0/0', '::/0'];

let providerSet = false;
function useNodeCrypto(): void {
  if (providerSet) return;
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  providerSet = true;
}

async function writePrivateFile(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await chmod(tmp, 0o600); // an existing umask or file mode must not widen it
  await rename(tmp, path);
}

async function writePublicFile(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, path);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive INTEGER (RFC 5280 §4.1.2.2)
  return Buffer.from(bytes).toString('hex');
}

/** PKCS#8 DER (WebCrypto's export) → PEM, framed by node's crypto rather than by hand. */
function toPkcs8Pem(der: ArrayBuffer): string {
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** PEM → PKCS#8 DER for WebCrypto's importKey. */
function fromPkcs8Pem(pem: string): ArrayBuffer {
  const buf = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/**
 * RFC 5280 §4.2.1.10: permitted DNS subtrees = the lab's names; excluded = all IPv4 and IPv6 addresses
 * (constraints apply per name type, so without the exclusion IP names would be unconstrained). The
 * library's ASN.1 schema encodes it.
 */
function nameConstraintsExtension(dnsNames: string[]): x509.Extension {
  const value = new NameConstraints({
    permittedSubtrees: new GeneralSubtrees(
      dnsNames.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    ),
    excludedSubtrees: new GeneralSubtrees(
      EXCLUDED_IP_RANGES.map((iPAddress) => new GeneralSubtree({ base: new GeneralName({ iPAddress }) })),
    ),
  });
  return new x509.Extension('2.5.29.30', true, AsnConvert.serialize(value));
}

async function createCa(dnsNames: string[], now: Date) {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=Sherpa Lab CA (local only), O=Sherpa lab',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      nameConstraintsExtension(dnsNames),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = toPkcs8Pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

async function createLeaf(
  ca: { certPem: string; keyPem: string },
  dnsNames: string[],
  now: Date,
): Promise<{ certPem: string; keyPem: string }> {
  const caCert = new x509.X509Certificate(ca.certPem);
  // node's and the DOM's CryptoKey declarations differ between @types/node versions; it is one object.
  const caKey = (await webcrypto.subtle.importKey('pkcs8', fromPkcs8Pem(ca.keyPem), ALG, false, [
    'sign',
  ])) as unknown as CryptoKey;
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${dnsNames[0]}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    // Never beyond the CA: a chain is only as valid as its shortest-lived certificate.
    notAfter: new Date(Math.min(now.getTime() + LEAF_DAYS * DAY_MS, caCert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = toPkcs8Pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

/** Whether a stored leaf can keep serving: signed by this CA, for these names, not near expiry. */
export function leafStillGood(
  leafPem: string,
  caPem: string,
  dnsNames: string[],
  now: Date,
  renewBeforeDays = 7,
): boolean {
  try {
    const leaf = new X509Certificate(leafPem);
    const ca = new X509Certificate(caPem);
    if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return false;
    if (new Date(leaf.validTo).getTime() - now.getTime() < renewBeforeDays * DAY_MS) return false;
    const sans = (leaf.subjectAltName ?? '').split(', ').map((s) => s.replace(/^DNS:/, ''));
    return dnsNames.every((n) => sans.includes(n)) && sans.length === dnsNames.length;
  } catch {
    return false;
  }
}

/** The subtrees' names of one kind, each exactly a bare base (no minimum/maximum), else undefined. */
function subtreeNames(
  subtrees: GeneralSubtrees | undefined,
  kind: 'dNSName' | 'iPAddress',
): string[] | undefined {
  const names: string[] = [];
  for (const s of subtrees ?? []) {
    const name = s.base[kind];
    if (name === undefined || s.minimum !== 0 || s.maximum !== undefined) return undefined;
    names.push(name);
  }
  return names;
}

function sameSet(a: string[] | undefined, b: string[]): boolean {
  return !!a && a.length === b.length && b.every((n) => a.includes(n));
}

/**
 * Whether a stored CA can keep signing: exactly the constraints a new one would get (these DNS names and
 * no more, every IP excluded — a CA from an older lab or one edited to permit more is replaced), its key
 * pair intact, a validity no longer than CA_DAYS and more than CA_RENEW_DAYS left.
 */
export function caStillGood(caPem: string, caKeyPem: string, dnsNames: string[], now: Date): boolean {
  try {
    const ca = new x509.X509Certificate(caPem);
    const ext = ca.getExtension('2.5.29.30');
    if (!ext?.critical) return false;
    const nc = AsnConvert.parse(ext.value, NameConstraints);
    if (!sameSet(subtreeNames(nc.permittedSubtrees, 'dNSName'), dnsNames)) return false;
    if (!sameSet(subtreeNames(nc.excludedSubtrees, 'iPAddress'), EXCLUDED_IP_RANGES)) return false;
    const publicOfKey = createPublicKey(createPrivateKey(caKeyPem)).export({ format: 'der', type: 'spki' });
    const publicOfCert = new X509Certificate(caPem).publicKey.export({ format: 'der', type: 'spki' });
    if (!publicOfKey.equals(publicOfCert)) return false;
    if (ca.notAfter.getTime() - ca.notBefore.getTime() > (CA_DAYS + 1) * DAY_MS) return false;
    return ca.notAfter.getTime() - now.getTime() > CA_RENEW_DAYS * DAY_MS;
  } catch {
    return false;
  }
}

/**
 * Loads the lab CA and the leaf for `dnsNames` from `{dataDir}/lab-ca/`, creating what is missing. The CA
 * is reused across restarts (clients that were told to trust it keep trusting the lab); the leaf is
 * re-issued when it is within `renewBeforeDays` of expiry, names other hosts, or was signed by another CA.
 */
export async function loadOrCreateLabCertificates(
  dataDir: string,
  o: LabCertificateOptions,
): Promise<LabCertificates> {
  useNodeCrypto();
  const now = o.now?.() ?? new Date();
  const dir = join(dataDir, CA_DIR);
  await assertPrivateFolder(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await assertPrivateFolder(dir);
  const caPath = join(dir, 'ca.crt');
  const caKeyPath = join(dir, 'ca.key');
  const leafName = o.dnsNames[0] ?? 'lab';
  const leafPath = join(dir, `${leafName}.crt`);
  const leafKeyPath = join(dir, `${leafName}.key`);

  let caPem = await readIfExists(caPath);
  let caKeyPem = await readIfExists(caKeyPath);
  if (!caPem || !caKeyPem || !caStillGood(caPem, caKeyPem, o.dnsNames, now)) {
    const ca = await createCa(o.dnsNames, now);
    await writePrivateFile(caKeyPath, ca.keyPem);
    await writePublicFile(caPath, ca.certPem);
    caPem = ca.certPem;
    caKeyPem = ca.keyPem;
  }
  await chmod(caKeyPath, 0o600);

  let certPem = await readIfExists(leafPath);
  let keyPem = await readIfExists(leafKeyPath);
  if (!certPem || !keyPem || !leafStillGood(certPem, caPem, o.dnsNames, now, o.renewBeforeDays)) {
    const leaf = await createLeaf({ certPem: caPem, keyPem: caKeyPem }, o.dnsNames, now);
    await writePrivateFile(leafKeyPath, leaf.keyPem);
    await writePublicFile(leafPath, leaf.certPem);
    certPem = leaf.certPem;
    keyPem = leaf.keyPem;
  }
  const leafFingerprint = createHash('sha256')
    .update(new X509Certificate(certPem).raw)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1:');
  return { caPath, caPem, certPem: certPem + caPem, keyPem, leafFingerprint };
}
