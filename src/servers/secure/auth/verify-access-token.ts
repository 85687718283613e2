import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthError, authErrorFromJose } from './errors';
import { VerifiedTokenCache } from './token-cache';

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
}

/** Largest token we even try to parse; Entra tokens are ~1.5–3 KB, group overage keeps them small. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

/**
 * Verifies a JWT access token the way RFC 9068 §4 and the MCP authorization spec (2025-11-25, "Token
 * Validation") require, with jose doing all the cryptography and claim checks:
 * - signature by a key from the issuer's JWKS (`createRemoteJWKSet`: cached for `cacheMaxAge`; an unknown
 *   `kid` triggers at most one refetch per `cooldownDuration`, so a flood of forged kids cannot make us
 *   hammer the issuer, while a real key rotation is picked up within 30 s);
 * - algorithm allow-list (RS256 by default — never `none`, never HMAC: an HS256 token "signed" with the
 *   public key's bytes must not verify);
 * - `iss` exact, `aud` one of ours (RFC 8707 audience binding), `exp` required, `nbf` checked when
 *   present (Entra always sends it; oidc-provider does not), `iat` required, 60 s clock tolerance.
 * `typ` is NOT required: Entra sends `JWT`, RFC 9068 servers send `at+jwt`.
 */
export function createAccessTokenVerifier(
  o: AccessTokenVerifierOptions,
): (token: string) => Promise<JWTPayload> {
  const algorithms = (o.algorithms ?? ['RS256']).filter((a) => a !== 'none' && !a.startsWith('HS'));
  if (algorithms.length === 0)
    throw Object.assign(new Error('no usable signing algorithm configured'), { code: 'no_algorithms' });
  const remote = createRemoteJWKSet(new URL(o.jwksUri), {
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
  });
  const getKey = wrapKeyLookup(remote);
  const cache = new VerifiedTokenCache({ maxEntries: o.cacheSize ?? 1000 });

  return async (token: string) => {
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthError('token_too_large');
    const cached = cache.getClaims(token);
    if (cached) return cached;
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: o.issuer,
        audience: o.audiences,
        algorithms,
        clockTolerance: o.clockToleranceSeconds ?? 60,
        requiredClaims: ['iss', 'aud', 'exp', 'iat'],
      });
      cache.rememberClaims(token, payload); // only after every check above passed
      return payload;
    } catch (err) {
      throw authErrorFromJose(err);
    }
  };
}

/**
 * Tells "the token names a key we do not have" (caller's problem → 401) apart from "we could not fetch
 * the keys" (our problem → 503): jose reports a failed JWKS download as a generic JOSEError.
 */
function wrapKeyLookup(remote: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      if (
        err instanceof joseErrors.JWKSNoMatchingKey ||
        err instanceof joseErrors.JWKSMultipleMatchingKeys ||
        err instanceof joseErrors.JOSENotSupported ||
        err instanceof joseErrors.JOSEAlgNotAllowed
      ) {
        throw err;
      }
      throw new AuthError('signing_keys_unavailable');
    }
  };
}
