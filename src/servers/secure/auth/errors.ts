import { errors as joseErrors } from 'jose';

/**
 * Every way a request can fail authentication or authorization at the secure MCP server, with a stable
 * `code` (for logs, tests and the UI) and the RFC 6750 error it maps to. This file is the ONE place that
 * decides status codes and `WWW-Authenticate` headers.
 *
 * Choice (documented, tested): we follow RFC 6750 §3.1 precisely — a request with no Bearer credentials
 * (no Authorization header, or another scheme such as Basic) gets a 401 challenge WITHOUT an `error`
 * attribute; every presented-but-unacceptable token gets `error="invalid_token"`; a valid token lacking the
 * scope gets 403 `error="insufficient_scope"`. `invalid_request` is not used because RFC 6750 pairs it with
 * 400, and MCP clients only start re-authorization on 401. All challenges carry `scope` and
 * `resource_metadata` (MCP authorization 2025-11-25, RFC 9728 §5.1).
 */
export type AuthErrorCode =
  | 'missing_token'
  | 'unsupported_scheme'
  | 'malformed_token'
  | 'token_too_large'
  | 'algorithm_not_allowed'
  | 'unknown_signing_key'
  | 'invalid_signature'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'implausible_expiry'
  | 'issued_in_future'
  | 'missing_claim'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_tenant'
  | 'insufficient_scope'
  | 'signing_key_pending'
  | 'signing_keys_unavailable';

type Rfc6750Error = 'invalid_token' | 'insufficient_scope' | undefined;

const TABLE: Record<AuthErrorCode, { status: number; error: Rfc6750Error; description: string }> = {
  missing_token: { status: 401, error: undefined, description: 'Bearer token required' },
  unsupported_scheme: { status: 401, error: undefined, description: 'Bearer token required' },
  malformed_token: { status: 401, error: 'invalid_token', description: 'The token is malformed' },
  token_too_large: { status: 401, error: 'invalid_token', description: 'The token is too large' },
  algorithm_not_allowed: {
    status: 401,
    error: 'invalid_token',
    description: 'The token signing algorithm is not allowed',
  },
  unknown_signing_key: {
    status: 401,
    error: 'invalid_token',
    description: 'The token was signed by an unknown key',
  },
  invalid_signature: { status: 401, error: 'invalid_token', description: 'The token signature is invalid' },
  token_expired: { status: 401, error: 'invalid_token', description: 'The token has expired' },
  token_not_yet_valid: { status: 401, error: 'invalid_token', description: 'The token is not yet valid' },
  implausible_expiry: {
    status: 401,
    error: 'invalid_token',
    description: 'The token expires implausibly far in the future',
  },
  issued_in_future: {
    status: 401,
    error: 'invalid_token',
    description: 'The token was issued in the future',
  },
  missing_claim: { status: 401, error: 'invalid_token', description: 'The token lacks a required claim' },
  wrong_issuer: {
    status: 401,
    error: 'invalid_token',
    description: 'The token was issued by an untrusted issuer',
  },
  wrong_audience: {
    status: 401,
    error: 'invalid_token',
    description: 'The token was issued for another resource',
  },
  wrong_tenant: {
    status: 401,
    error: 'invalid_token',
    description: 'The token was issued in a tenant that is not allowed',
  },
  insufficient_scope: {
    status: 403,
    error: 'insufficient_scope',
    description: 'The token lacks the required scope',
  },
  // The issuer's JWKS could not be fetched: our dependency failed, not the caller. A 503 tells the
  // client to retry later instead of sending the user through sign-in again.
  // A kid we may not refetch for yet (see issuer-key-set.ts): most likely a key the issuer published
  // just after our last download. A 401 would start a sign-in loop; 503 says "retry in N seconds".
  signing_key_pending: {
    status: 503,
    error: undefined,
    description: 'The token names a signing key this server has not loaded yet',
  },
  signing_keys_unavailable: {
    status: 503,
    error: undefined,
    description: 'Signing keys are temporarily unavailable',
  },
};

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  /** For 503s: when the caller may try again (RFC 9110 §10.2.3). Default 5 s. */
  readonly retryAfterSeconds?: number;
  constructor(code: AuthErrorCode, detail?: string, options: { retryAfterSeconds?: number } = {}) {
    // A rejected token is an expected outcome, not a bug: its stack trace is never read, and capturing
    // one is the most expensive part of a 401 (Error.captureStackTrace walks the stack every time).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail ? `${TABLE[code].description}: ${detail}` : TABLE[code].description);
    Error.stackTraceLimit = limit;
    this.name = 'AuthError';
    this.code = code;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * Maps anything jose (or the JWKS fetch) throws to an AuthError. Unknown errors become `malformed_token`
 * so that no verifier failure can ever turn into a 500 (the SDK's `requireBearerAuth` pitfall).
 */
export function authErrorFromJose(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof joseErrors.JWTExpired) return new AuthError('token_expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return new AuthError('missing_claim', err.claim);
    if (err.claim === 'iss') return new AuthError('wrong_issuer');
    if (err.claim === 'aud') return new AuthError('wrong_audience');
    if (err.claim === 'nbf') return new AuthError('token_not_yet_valid');
    if (err.claim === 'exp') return new AuthError('token_expired');
    return new AuthError('malformed_token', err.claim);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return new AuthError('algorithm_not_allowed');
  if (err instanceof joseErrors.JWKSNoMatchingKey) return new AuthError('unknown_signing_key');
  if (err instanceof joseErrors.JWKSMultipleMatchingKeys) return new AuthError('unknown_signing_key');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return new AuthError('invalid_signature');
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid) {
    return new AuthError('signing_keys_unavailable');
  }
  if (err instanceof joseErrors.JOSEError) return new AuthError('malformed_token');
  // A network failure while fetching the JWKS surfaces as a TypeError from fetch.
  if (err instanceof TypeError && /fetch/i.test(err.message))
    return new AuthError('signing_keys_unavailable');
  return new AuthError('malformed_token');
}

export interface ChallengeContext {
  realm: string;
  /** Scopes a client should request (space-joined into `scope`). */
  scopes: string[];
  /** RFC 9728 metadata URL (`resource_metadata`). */
  resourceMetadataUrl: string;
}

export interface AuthErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string; code: AuthErrorCode };
}

/**
 * Builds the HTTP answer for an AuthError (RFC 6750 §3, RFC 9728 §5.1). Descriptions are fixed strings:
 * nothing from the token is echoed back. Quotes/backslashes cannot occur in our values, but are escaped
 * anyway because `realm` and the URLs come from configuration.
 */
export function respondToAuthError(err: AuthError, ctx: ChallengeContext): AuthErrorResponse {
  const entry = TABLE[err.code];
  const params: [string, string][] = [['realm', ctx.realm]];
  if (entry.error) params.push(['error', entry.error], ['error_description', entry.description]);
  params.push(['scope', ctx.scopes.join(' ')], ['resource_metadata', ctx.resourceMetadataUrl]);
  // A 503 is not a challenge: the caller's credentials were not judged, so no WWW-Authenticate.
  const headers: Record<string, string> =
    entry.status === 503
      ? { 'Retry-After': String(Math.max(1, Math.ceil(err.retryAfterSeconds ?? 5))) }
      : {
          'WWW-Authenticate':
            'Bearer ' + params.map(([k, v]) => `${k}="${v.replace(/[\\"]/g, '\\$&')}"`).join(', '),
        };
  return {
    status: entry.status,
    headers,
    body: {
      error: entry.error ?? (entry.status === 503 ? 'temporarily_unavailable' : 'unauthorized'),
      error_description: entry.description,
      code: err.code,
    },
  };
}
