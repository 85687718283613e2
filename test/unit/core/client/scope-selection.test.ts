import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectScopes, splitScope } from '../../../../src/core/client/scope-selection';

test('the challenge scope wins over PRM scopes_supported', () => {
  assert.deepEqual(selectScopes({ challengeScope: 'mcp:basic', prmScopesSupported: ['a', 'b'] }), [
    'mcp:basic',
  ]);
});

test('without a challenge scope, every PRM scopes_supported entry is requested', () => {
  assert.deepEqual(selectScopes({ prmScopesSupported: ['mcp:basic', 'mcp:read'] }), [
    'mcp:basic',
    'mcp:read',
  ]);
});

test('with neither, the scope is omitted (empty list)', () => {
  assert.deepEqual(selectScopes({}), []);
});

test('step-up keeps the scopes already requested and adds the challenged ones', () => {
  assert.deepEqual(selectScopes({ challengeScope: 'mcp:write mcp:basic', previous: ['mcp:basic'] }), [
    'mcp:basic',
    'mcp:write',
  ]);
});

test('offline_access only when wanted and listed by the authorization server (SEP-2207)', () => {
  const base = { prmScopesSupported: ['mcp:basic'] };
  assert.deepEqual(
    selectScopes({ ...base, offlineAccess: true, asScopesSupported: ['mcp:basic', 'offline_access'] }),
    ['mcp:basic', 'offline_access'],
  );
  assert.deepEqual(selectScopes({ ...base, offlineAccess: true, asScopesSupported: ['mcp:basic'] }), [
    'mcp:basic',
  ]);
  assert.deepEqual(selectScopes({ ...base, offlineAccess: false, asScopesSupported: ['offline_access'] }), [
    'mcp:basic',
  ]);
});

test('splitScope ignores repeated spaces', () => {
  assert.deepEqual(splitScope(' a  b '), ['a', 'b']);
  assert.deepEqual(splitScope(undefined), []);
});
