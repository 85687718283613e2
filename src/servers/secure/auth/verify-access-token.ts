import { jwtVerify, type JWTPayload } from 'jose';
import { AuthError, authErrorFromJose } from './errors';
import { createIssuerKeySet, type IssuerKeySetOptions } from './issuer-key-set';
import { VerifiedTokenCache } from './token-cache';

/** Default for `maxTokenLifetimeSeconds`. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;
const DEFAULT_MAX_IAT_SKEW_SECONDS = 300;

export interface AccessTokenVerifierOptions {
  issuer: string;
  jwksUri: string;
  audiences: string[];
  /** Default ['RS256'] — what Entra ID and the lab sign with. `none` and HS* are refused whatever is passed. */
  algorithms?: string[];
  /** Seconds of clock skew tolerated for exp/nbf/iat. Default 60. */
  clockToleranceSeconds?: number;
  /** Max verified tokens remembered. Default 1000. */
  cacheSize?: number;
  /** Longest a verified token is remembered without verifying it again. Default 5 min. */
  cacheEntryMaxMs?: number;
  /**
   * A token whose `exp` is further ahead than this is refused (a signing mistake or a forgery meant to be
   * replayed forever). Default 24 h: Entra's configurable access-token lifetime tops out at one day.
   */
  maxTokenLifetimeSeconds?: number;
  /** A token whose `iat` is more than this ahead of our clock is refused. Default 300 s. */
  maxIssuedAtSkewSeconds?: number;
  /** JWKS cooldown, max age, timeout, back-off after failure (issuer-key-set.ts). */
  keySet?: IssuerKeySetOptions;
}

/** Largest token we even try to parse; Entra tokens are ~1.5–3 KB, group overage keeps them small. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

/**
 * Verifies a JWT access token the way RFC 9068 §4 and the MCP authorization spec (2025-11-25, "Token
 * Validation") require, with jose doing all the cryptography and claim checks:
 * - signature by a key from the issuer's JWKS (issuer-key-set.ts over jose's `createRemoteJWKSet`: cached
 *   for 10 min; an unknown `kid` triggers at most one refetch per 2 s cooldown, so a flood of forged kids
 *   cannot make us hammer the issuer; a new kid inside the cooldown waits for that refetch instead of
 *   getting a 401 that would loop the client through sign-in; the keys we hold keep working while the
 *   issuer is down);
 * - algorithm allow-list (RS256 by default — never `none`, never HMAC: an HS256 token "signed" with the
 *   public key's bytes must not verify);
 * - `iss` exact, `aud` one of ours (RFC 8707 audience binding), `exp` required, `nbf` checked when
 *   present (Entra always sends it; oidc-provider does not), `iat` required, 60 s clock tolerance;
 * - plausible times (RFC 7519 §4.1.4/§4.1.6 leave them to the recipient): `exp` no more than
 *   `maxTokenLifetimeSeconds` ahead (jose accepts `exp = 1e308`), `iat` no more than
 *   `maxIssuedAtSkewSeconds` ahead of our clock;
 * - verified tokens are remembered for at most `cacheEntryMaxMs`, and forgotten when the issuer's key set
 *   changes (token-cache.ts), so a withdrawn key stops working at the next JWKS download.
 * `typ` is NOT required: Entra sends `JWT`, RFC 9068 servers send `at+jwt`.
 */
export function createAccessTokenVerifier(
  o: AccessTokenVerifierOptions,
): (token: string) => Promise<JWTPayload> {
  const algorithms = (o.algorithms ?? ['RS256']).filter((a) => a !== 'none' && !a.startsWith('HS'));
  if (algorithms.length === 0)
    throw Object.assign(new Error('no usable signing algorithm configured'), { code: 'no_algorithms' });
  const keys = createIssuerKeySet(o.jwksUri, o.keySet);
  const cache = new VerifiedTokenCache({
    maxEntries: o.cacheSize ?? 1000,
    ...(o.cacheEntryMaxMs !== undefined ? { maxEntryMs: o.cacheEntryMaxMs } : {}),
  });
  const maxLifetime = o.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const maxIatSkew = o.maxIssuedAtSkewSeconds ?? DEFAULT_MAX_IAT_SKEW_SECONDS;

  return async (token: string) => {
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthError('token_too_large');
    // The key set the token is checked against: read before verifying, so an entry can only ever be
    // flushed too early (a download during the check), never kept past a change.
    const keysVersion = keys.keysVersion;
    const cached = cache.getClaims(token, keysVersion);
    if (cached) return cached;
    try {
      const { payload } = await jwtVerify(token, keys.getKey, {
        issuer: o.issuer,
        audience: o.audiences,
        algorithms,
        clockTolerance: o.clockToleranceSeconds ?? 60,
        requiredClaims: ['iss', 'aud', 'exp', 'iat'],
      });
      const nowSeconds = Date.now() / 1000;
      if ((payload.exp ?? 0) - nowSeconds > maxLifetime) throw new AuthError('implausible_expiry');
      if ((payload.iat ?? 0) - nowSeconds > maxIatSkew) throw new AuthError('issued_in_future');
      cache.rememberClaims(token, payload, keysVersion); // only after every check above passed
      return payload;
    } catch (err) {
      throw authErrorFromJose(err);
    }
  };
}
