import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyClaimPolicy, readBearerToken } from '../../../../../src/servers/secure/auth/bearer-auth';
import { AuthError } from '../../../../../src/servers/secure/auth/errors';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AuthError);
    return err.code;
  }
  return 'none';
};

describe('readBearerToken (RFC 6750 §2.1)', () => {
  it('extracts a b64token, scheme case-insensitive', () => {
    assert.equal(readBearerToken('Bearer abc.def-ghi_jkl'), 'abc.def-ghi_jkl');
    assert.equal(readBearerToken('bearer abc=='), 'abc==');
  });
  it('classifies every bad header', () => {
    assert.equal(
      code(() => readBearerToken(undefined)),
      'missing_token',
    );
    assert.equal(
      code(() => readBearerToken('   ')),
      'missing_token',
    );
    assert.equal(
      code(() => readBearerToken('Basic Zm9vOmJhcg==')),
      'unsupported_scheme',
    );
    assert.equal(
      code(() => readBearerToken('Bearer')),
      'malformed_token',
    );
    assert.equal(
      code(() => readBearerToken('Bearer a b')),
      'malformed_token',
    );
    assert.equal(
      code(() => readBearerToken('Bearer a"b')),
      'malformed_token',
    );
    assert.equal(
      code(() => readBearerToken(`Bearer ${'a'.repeat(9000)}`)),
      'token_too_large',
    );
  });
});

describe('applyClaimPolicy', () => {
  const policy = { requiredScope: 'access_as_user', allowedTenants: ['t1'], resourceUrl: 'http://x/mcp' };
  it('requires an allowed tid and the scope among space-separated scp values', () => {
    assert.equal(
      code(() => applyClaimPolicy({ tid: 't1', scp: 'User.Read access_as_user' }, policy)),
      'none',
    );
    assert.equal(
      code(() => applyClaimPolicy({ tid: 't2', scp: 'access_as_user' }, policy)),
      'wrong_tenant',
    );
    assert.equal(
      code(() => applyClaimPolicy({ scp: 'access_as_user' }, policy)),
      'wrong_tenant',
    );
    assert.equal(
      code(() => applyClaimPolicy({ tid: 't1', scp: 'access_as_user_2' }, policy)),
      'insufficient_scope',
    );
    assert.equal(
      code(() => applyClaimPolicy({ tid: 't1' }, policy)),
      'insufficient_scope',
    );
  });
});
