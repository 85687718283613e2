/**
 * Forging tokens with the lab's OWN signing key, for the exploit demo, the bad-input tests and the bench.
 * Only possible because the lab's private key sits in its data folder (`jwks.json`, mode 0600): a real
 * client never holds an issuer's key. "Validly signed but wrong" tokens (wrong `aud`, expired, …) prove
 * that a resource server rejects on claims, not only on signature.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, exportSPKI, importJWK, type CryptoKey, type JWK } from 'jose';
import { signClaims } from '../core/token/forge';

export interface LabSigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public half as SPKI PEM: the "secret" of the HS256 key-confusion attack. */
  publicKeyPem: string;
}

/**
 * A signing key from `<dataDir>/jwks.json`: the one with `kid`, or the first (the one the lab signs with).
 */
export async function readLabSigningKey(dataDir: string, kid?: string): Promise<LabSigningKey> {
  const jwks = JSON.parse(await readFile(join(dataDir, 'jwks.json'), 'utf8')) as { keys: JWK[] };
  const jwk = kid ? jwks.keys.find((k) => k.kid === kid) : jwks.keys[0];
  if (!jwk?.kid) throw new Error(`no lab signing key${kid ? ` with kid ${kid}` : ''} in ${dataDir}`);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  const privateKey = (await importJWK(jwk, 'RS256')) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, 'RS256', { extractable: true })) as CryptoKey;
  return { kid: jwk.kid, privateKey, publicKeyPem: await exportSPKI(publicKey) };
}

/**
 * Re-signs the claims of a real lab token with `changes` applied (`undefined` deletes a claim). The
 * header keeps the real token's `kid` unless `kid` says otherwise (attacker key, unknown kid); `alg`
 * HS256 is for the key-confusion case (RFC 7515 §4.1.4, RFC 8725 §2.1).
 */
export async function resignLabToken(
  realToken: string,
  changes: Record<string, unknown>,
  o: { key: CryptoKey | Uint8Array; kid?: string; alg?: 'RS256' | 'HS256' },
): Promise<string> {
  const payload: Record<string, unknown> = { ...decodeJwt(realToken), ...changes };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  const kid = o.kid ?? decodeProtectedHeader(realToken).kid;
  return signClaims(payload, { key: o.key, ...(kid ? { kid } : {}), ...(o.alg ? { alg: o.alg } : {}) });
}

/**
 * An otherwise valid token that expired an hour ago, signed with the lab's own key from `dataDir`: what
 * `sherpa azure verify --lab` and `sherpa exploit` send to prove `exp` is checked (RFC 7519 §4.1.4).
 */
export async function mintExpiredLabToken(dataDir: string, template: string): Promise<string> {
  const { privateKey, kid } = await readLabSigningKey(dataDir);
  const now = Math.floor(Date.now() / 1000);
  return resignLabToken(
    template,
    { iat: now - 7200, nbf: now - 7200, exp: now - 3600 },
    { key: privateKey, kid },
  );
}
