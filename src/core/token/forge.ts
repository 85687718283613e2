/**
 * The forged tokens of Sherpa's probes, in one place: the audit's token matrix (core/audit/checks-token),
 * Verify Deployment's live probes (core/azure/live-probes) and the lab's exploit demo and tests
 * (lab/lab-key) build what an attacker would send here. Each one must be refused by a resource server
 * that verifies tokens as RFC 8725 (JWT BCP) §2.1/§3.1 and RFC 7515 §5.2 require.
 */
import { decodeJwt, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function parts(token: string): [string, string, string] {
  const [h = '', p = '', s = ''] = token.split('.');
  return [h, p, s];
}

/** The token's claims replaced by `claims`, header and signature kept: the signature no longer covers them. */
export function withPayload(token: string, claims: Record<string, unknown>): string {
  const [h, , s] = parts(token);
  return `${h}.${b64(claims)}.${s}`;
}

/** The token's claims with `changes` merged in, header and signature kept (a privilege grab). */
export function withChangedClaims(token: string, changes: Record<string, unknown>): string {
  return withPayload(token, { ...decodeJwt(token), ...changes });
}

/** The signature removed (`header.payload.`), header kept. */
export function withoutSignature(token: string): string {
  const [h, p] = parts(token);
  return `${h}.${p}.`;
}

/** An unsigned `alg: none` token with the same claims (RFC 7519 §6.1; RFC 8725 §2.1). */
export function asAlgNone(token: string): string {
  const [, p] = parts(token);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
}

/**
 * `claims` signed with `key`: RS256, or HS256 for the key-confusion case (an RSA public key used as an
 * HMAC secret, RFC 8725 §2.1). `kid` goes into the header when given.
 */
export async function signClaims(
  claims: Record<string, unknown>,
  o: { key: CryptoKey | Uint8Array; kid?: string; alg?: 'RS256' | 'HS256' },
): Promise<string> {
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({ alg: o.alg ?? 'RS256', typ: 'JWT', ...(o.kid ? { kid: o.kid } : {}) })
    .sign(o.key);
}

/** `claims` signed with a fresh RSA key that no issuer ever published: an attacker's own key. */
export async function signWithAttackerKey(claims: Record<string, unknown>, kid?: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return signClaims(claims, { key: privateKey, ...(kid ? { kid } : {}) });
}
