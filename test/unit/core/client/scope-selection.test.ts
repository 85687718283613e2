import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSherpaError, type SherpaError } from '../../../../src/core/errors';
import { selectScopes, splitScope, withOfflineAccess } from '../../../../src/core/client/scope-selection';

const context = { resource: 'http://127.0.0.1:7482/mcp', entra: false };
const ENTRA = { resource: 'https://sherpa.example.io/mcp', entra: true };

test('the challenge scope wins over PRM scopes_supported', () => {
  assert.deepEqual(selectScopes({ challengeScope: 'mcp:basic', prmScopesSupported: ['a', 'b'], context }), [
    'mcp:basic',
  ]);
});

test('without a challenge scope, every PRM scopes_supported entry is requested', () => {
  assert.deepEqual(selectScopes({ prmScopesSupported: ['mcp:basic', 'mcp:read'], context }), [
    'mcp:basic',
    'mcp:read',
  ]);
});

test('with neither, the scope is omitted (empty list)', () => {
  assert.deepEqual(selectScopes({ context }), []);
  assert.deepEqual(selectScopes({ challengeScope: '  ', prmScopesSupported: [], context }), []);
});

test('step-up keeps the scopes already requested and adds the challenged ones', () => {
  assert.deepEqual(
    selectScopes({ challengeScope: 'mcp:write mcp:basic', previous: ['mcp:basic'], stepUp: true, context }),
    ['mcp:basic', 'mcp:write'],
  );
});

test('outside step-up, earlier scopes are not carried over (a 401 re-reads the server)', () => {
  assert.deepEqual(selectScopes({ challengeScope: 'mcp:write', previous: ['mcp:basic'], context }), [
    'mcp:write',
  ]);
});

test('every server-chosen scope passes scope-policy.ts, and the refusal names its source', () => {
  const source = (o: Parameters<typeof selectScopes>[0]) => {
    try {
      selectScopes(o);
    } catch (err) {
      assert.ok(isSherpaError(err, 'UNTRUSTED_SCOPE'));
      return (err as SherpaError).details?.source;
    }
    assert.fail('not refused');
  };
  assert.equal(source({ challengeScope: 'SHERPA_RESOURCE:http://victim/mcp x', context }), 'challenge');
  assert.equal(
    source({ prmScopesSupported: ['VSCODE_TENANT:common'], context }),
    'protected-resource-metadata',
  );
  assert.equal(
    source({ challengeScope: 'User.Read', previous: [], stepUp: true, context: ENTRA }),
    'step-up challenge',
  );
  // The PRM is not consulted when the challenge names scopes, so its entries cannot fail the choice.
  assert.deepEqual(selectScopes({ challengeScope: 'read', prmScopesSupported: ['vscode_x:y'], context }), [
    'read',
  ]);
});

test('offline_access only when wanted and listed by the authorization server (SEP-2207)', () => {
  assert.deepEqual(withOfflineAccess(['mcp:basic'], ['mcp:basic', 'offline_access'], true), [
    'mcp:basic',
    'offline_access',
  ]);
  assert.deepEqual(withOfflineAccess(['mcp:basic'], ['mcp:basic'], true), ['mcp:basic']);
  assert.deepEqual(withOfflineAccess(['mcp:basic'], ['offline_access'], false), ['mcp:basic']);
  // An omitted scope stays omitted: offline_access alone would replace the server's default.
  assert.deepEqual(withOfflineAccess([], ['offline_access'], true), []);
});

test('splitScope ignores repeated spaces', () => {
  assert.deepEqual(splitScope(' a  b '), ['a', 'b']);
  assert.deepEqual(splitScope(undefined), []);
});

test('on Entra, no scope or only OpenID scopes is RESOURCE_SCOPE_MISSING, not "omit the scope" (issue 16 HIGH 1)', () => {
  const missing = (e: unknown) => isSherpaError(e, 'RESOURCE_SCOPE_MISSING');
  // Entra (and VS Code's microsoft provider, which adds User.Read) answers these with a Graph token.
  assert.throws(() => selectScopes({ context: ENTRA }), missing);
  assert.throws(() => selectScopes({ prmScopesSupported: [], context: ENTRA }), missing);
  for (const oidc of ['openid', 'openid profile email offline_access', 'offline_access'])
    assert.throws(() => selectScopes({ challengeScope: oidc, context: ENTRA }), missing, oidc);
  assert.throws(
    () => selectScopes({ prmScopesSupported: ['openid', 'profile', 'email'], context: ENTRA }),
    missing,
  );
  // One scope of the resource is enough; OpenID scopes may come along.
  assert.deepEqual(
    selectScopes({ challengeScope: 'openid https://sherpa.example.io/mcp/access_as_user', context: ENTRA }),
    ['openid', 'https://sherpa.example.io/mcp/access_as_user'],
  );
  // An api:// scope counts only when trusted for this server (the caller passes this server's list).
  const api = 'api://c0a8f3e2-71b4-4d69-a5e0-3f92b8d61c47/access_as_user';
  assert.throws(
    () => selectScopes({ challengeScope: `openid ${api}`, context: ENTRA }),
    (e: unknown) => isSherpaError(e, 'UNTRUSTED_SCOPE'),
  );
  const trusted = { ...ENTRA, trustedApiIdentifiers: ['api://c0a8f3e2-71b4-4d69-a5e0-3f92b8d61c47'] };
  assert.deepEqual(selectScopes({ challengeScope: api, context: trusted }), [api]);
});
