/**
 * Tokens for `npm run bench`. The steady-state token is a REAL lab token (authorization code + PKCE
 * against the lab's oidc-provider, non-interactive lab login). Cache-miss traffic needs thousands of
 * distinct valid tokens, more than logins can produce in a bench's time budget, so those are signed by
 * jose with the lab's OWN signing key (dataDir/jwks.json) and carry the real token's claims with a fresh
 * `jti`/`iat` each: the secure server does exactly the same work for them (kid lookup, RS256 verify, claim
 * checks). A handful of extra real logins checks that their first-use cost matches (see run.ts).
 */
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { readLabSigningKey, resignLabToken } from '../../src/lab/lab-key';
import { loginFromCli } from '../../src/cli/lab-token';
import type { LabInfo } from '../support/lab';

/** A real access token for `user` from the running lab (RFC 6749 §4.1 + PKCE, lab login). */
export async function requestLabToken(lab: LabInfo, user = 'alice'): Promise<string> {
  const tokens = await loginFromCli({
    issuer: lab.issuer,
    scopes: [`api://${lab.clientId}/access_as_user`],
    user,
  });
  return tokens.accessToken;
}

/**
 * Returns a function minting `count` distinct tokens shaped like `template` (a real lab token), signed
 * with the lab's private key of the same `kid` (RFC 7515 §4.1.4).
 */
export async function createLabKeyMinter(
  lab: LabInfo,
  template: string,
): Promise<(count: number) => Promise<string[]>> {
  const { privateKey } = await readLabSigningKey(lab.dataDir, decodeProtectedHeader(template).kid);
  return async (count) => {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const fresh = { jti: randomUUID(), iat: Math.floor(Date.now() / 1000) };
      out.push(await resignLabToken(template, fresh, { key: privateKey }));
    }
    return out;
  };
}

/** The same token with its signature's first bytes changed: well-formed, correct kid, invalid RS256. */
export function corruptSignature(token: string): string {
  const [h, p, s = ''] = token.split('.');
  const flipped = (s[0] === 'A' ? 'B' : 'A') + (s[1] === 'A' ? 'B' : 'A') + s.slice(2);
  return `${h}.${p}.${flipped}`;
}

/**
 * What one full verification costs here (µs per jose `jwtVerify`, RS256 against a local copy of the lab's
 * JWKS, all claim checks): the floor under a cache miss, whatever the HTTP edge costs.
 */
export async function measureVerifyMicros(
  token: string,
  jwksUri: string,
  lab: LabInfo,
  n = 400,
): Promise<number> {
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  const keys = createLocalJWKSet((await (await fetch(jwksUri)).json()) as { keys: [] });
  const options = { issuer: lab.issuer, audience: lab.clientId, algorithms: ['RS256'], clockTolerance: 60 };
  for (let i = 0; i < 50; i++) await jwtVerify(token, keys, options);
  const t = performance.now();
  for (let i = 0; i < n; i++) await jwtVerify(token, keys, options);
  return ((performance.now() - t) / n) * 1000;
}
