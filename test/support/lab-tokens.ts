/**
 * Real tokens from a running lab, and forgeries derived from them for negative tests.
 *
 * `signInToLab` runs the lab's real authorization code + PKCE flow (RFC 6749 §4.1, RFC 7636) through the
 * CLI's own login helper, filling in the lab's sign-in form as a lab user. `readLabSigningKey` reads the
 * lab's private signing key from `<dataDir>/jwks.json`: that is how a test makes "validly signed but
 * wrong" tokens (wrong `aud`, wrong `iss`, …) — the server must reject them on claims, not signature.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, exportSPKI, importJWK, SignJWT, type JWK } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { loginFromCli } from '../../src/cli/lab-token';
import { LAB_API_APP_ID_URI } from '../../src/core/lab-defaults';
import type { TokenSet } from '../../src/core/token-set';
import type { LabInfo } from './lab';

export const LAB_API_SCOPE = `${LAB_API_APP_ID_URI}/access_as_user`;

/** Signs in to the lab as `user` (VS Code's pre-authorised client id by default) and returns the tokens. */
export function signInToLab(
  lab: Pick<LabInfo, 'issuer'>,
  o: { user: 'alice' | 'bob'; scopes?: string[]; resource?: string; clientId?: string },
): Promise<TokenSet> {
  return loginFromCli({
    issuer: lab.issuer,
    scopes: o.scopes ?? [LAB_API_SCOPE],
    user: o.user,
    ...(o.resource ? { resource: o.resource } : {}),
    ...(o.clientId ? { clientId: o.clientId } : {}),
  });
}

export interface LabSigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public half as SPKI PEM: the "secret" of the HS256 key-confusion attack. */
  publicKeyPem: string;
}

/** The lab's current signing key (the first of `<dataDir>/jwks.json`, the one oidc-provider signs with). */
export async function readLabSigningKey(dataDir: string): Promise<LabSigningKey> {
  const jwks = JSON.parse(await readFile(join(dataDir, 'jwks.json'), 'utf8')) as { keys: JWK[] };
  const jwk = jwks.keys[0]!;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  const privateKey = (await importJWK(jwk, 'RS256')) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, 'RS256', { extractable: true })) as CryptoKey;
  return { kid: jwk.kid!, privateKey, publicKeyPem: await exportSPKI(publicKey) };
}

/**
 * Re-signs the claims of a real lab token with changes (`undefined` deletes a claim). Signs with the lab's
 * key unless `key`/`kid`/`alg` say otherwise (attacker key, unknown kid, HS256 confusion).
 */
export async function resignLabToken(
  realToken: string,
  changes: Record<string, unknown>,
  o: { key: CryptoKey | Uint8Array; kid?: string; alg?: 'RS256' | 'HS256' },
): Promise<string> {
  const payload: Record<string, unknown> = { ...decodeJwt(realToken), ...changes };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  const header = decodeProtectedHeader(realToken);
  return new SignJWT(payload as JWTPayload)
    .setProtectedHeader({ alg: o.alg ?? 'RS256', typ: 'JWT', kid: o.kid ?? header.kid! })
    .sign(o.key);
}
