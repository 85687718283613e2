import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors } from 'jose';
import {
  AuthError,
  authErrorFromJose,
  respondToAuthError,
} from '../../../../../src/servers/secure/auth/errors';

const ctx = {
  realm: 'r',
  scopes: ['http://127.0.0.1:7482/mcp/access_as_user'],
  resourceMetadataUrl: 'http://127.0.0.1:7482/.well-known/oauth-protected-resource/mcp',
};
const tail =
  'scope="http://127.0.0.1:7482/mcp/access_as_user", resource_metadata="http://127.0.0.1:7482/.well-known/oauth-protected-resource/mcp"';

describe('auth error mapping', () => {
  it('maps jose errors to stable codes', () => {
    const claim = (c: string, reason = 'check_failed') =>
      new errors.JWTClaimValidationFailed('x', {}, c, reason);
    const cases: [unknown, string][] = [
      [new errors.JWTExpired('x', {}), 'token_expired'],
      [claim('iss'), 'wrong_issuer'],
      [claim('aud'), 'wrong_audience'],
      [claim('nbf'), 'token_not_yet_valid'],
      [claim('exp', 'missing'), 'missing_claim'],
      [new errors.JOSEAlgNotAllowed('x'), 'algorithm_not_allowed'],
      [new errors.JWKSNoMatchingKey(), 'unknown_signing_key'],
      [new errors.JWSSignatureVerificationFailed(), 'invalid_signature'],
      [new errors.JWKSTimeout(), 'signing_keys_unavailable'],
      [new errors.JWSInvalid('x'), 'malformed_token'],
      [new Error('anything else'), 'malformed_token'],
      ['a string', 'malformed_token'],
    ];
    for (const [err, code] of cases) assert.equal(authErrorFromJose(err).code, code, String(err));
  });

  it('builds RFC 6750 challenges: no error without credentials, invalid_token 401, insufficient_scope 403', () => {
    const none = respondToAuthError(new AuthError('missing_token'), ctx);
    assert.equal(none.status, 401);
    assert.equal(none.headers['WWW-Authenticate'], `Bearer realm="r", ${tail}`);
    const expired = respondToAuthError(new AuthError('token_expired'), ctx);
    assert.equal(expired.status, 401);
    assert.equal(
      expired.headers['WWW-Authenticate'],
      `Bearer realm="r", error="invalid_token", error_description="The token has expired", ${tail}`,
    );
    const scope = respondToAuthError(new AuthError('insufficient_scope'), ctx);
    assert.equal(scope.status, 403);
    assert.match(scope.headers['WWW-Authenticate']!, /^Bearer realm="r", error="insufficient_scope", /);
    assert.deepEqual(scope.body, {
      error: 'insufficient_scope',
      error_description: 'The token lacks the required scope',
      code: 'insufficient_scope',
    });
  });

  it('answers a JWKS outage with 503 + Retry-After and no challenge', () => {
    const res = respondToAuthError(new AuthError('signing_keys_unavailable'), ctx);
    assert.equal(res.status, 503);
    assert.equal(res.headers['Retry-After'], '5');
    assert.equal(res.headers['WWW-Authenticate'], undefined);
  });

  it('answers a not-yet-loaded signing key with 503 and the Retry-After it was given (never 0)', () => {
    const res = respondToAuthError(
      new AuthError('signing_key_pending', undefined, { retryAfterSeconds: 2.2 }),
      ctx,
    );
    assert.equal(res.status, 503);
    assert.equal(res.headers['Retry-After'], '3');
    assert.equal(res.headers['WWW-Authenticate'], undefined);
    assert.equal(res.body.code, 'signing_key_pending');
    const soon = respondToAuthError(
      new AuthError('signing_keys_unavailable', undefined, { retryAfterSeconds: 0 }),
      ctx,
    );
    assert.equal(soon.headers['Retry-After'], '1');
  });

  it('escapes quotes in configured values', () => {
    const res = respondToAuthError(new AuthError('missing_token'), { ...ctx, realm: 'a"b' });
    assert.match(res.headers['WWW-Authenticate']!, /^Bearer realm="a\\"b", /);
  });
});
