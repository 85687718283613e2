import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSherpaError } from '../../../../src/core/errors';
import { assertEntraResourceScope, assertServerScopes } from '../../../../src/core/client/scope-policy';

const LAB = { source: 'challenge' as const, resource: 'http://127.0.0.1:7482/mcp', entra: false };
const ENTRA = { source: 'challenge' as const, resource: 'https://sherpa.example.io/mcp', entra: true };
const refused = (scopes: string[], o: Parameters<typeof assertServerScopes>[1]) =>
  assert.throws(
    () => assertServerScopes(scopes, o),
    (e) => isSherpaError(e, 'UNTRUSTED_SCOPE'),
    scopes.join(' '),
  );

describe('assertServerScopes', () => {
  it('passes ordinary scopes through, duplicates removed, order kept', () => {
    assert.deepEqual(assertServerScopes(['read', 'write', 'read'], LAB), ['read', 'write']);
  });

  it('refuses pseudo-scopes in any case (issue 12: SHERPA_RESOURCE:<victim> made the broker reuse a session)', () => {
    for (const s of [
      'SHERPA_RESOURCE:http://victim/mcp',
      'sherpa_issuer:x',
      'VSCODE_CLIENT_ID:abc',
      'vscode_tenant:common',
    ]) {
      refused([s], LAB);
      refused([s], ENTRA);
    }
  });

  it('refuses entries that are not RFC 6749 §3.3 scope-tokens', () => {
    for (const s of ['a"b', 'a\\b', 'a b', 'tab\tx', 'nl\nx', 'é']) refused([s], LAB);
  });

  it("on Entra, accepts the resource's own scopes and the OpenID scopes", () => {
    const ok = [
      'https://sherpa.example.io/mcp/access_as_user',
      'https://sherpa.example.io/mcp/.default',
      'openid',
      'offline_access',
    ];
    assert.deepEqual(assertServerScopes(ok, ENTRA), ok);
  });

  it('on Entra, an api:// scope only when the person trusts that identifier URI for this server (review H1)', () => {
    const own = 'api://c0a8f3e2-71b4-4d69-a5e0-3f92b8d61c47/access_as_user';
    // Another app's api:// scope would make VS Code's microsoft provider hand out that app's token.
    refused([own], ENTRA);
    const trusted = { ...ENTRA, trustedApiIdentifiers: ['api://c0a8f3e2-71b4-4d69-a5e0-3f92b8d61c47/'] };
    assert.deepEqual(assertServerScopes([own], trusted), [own]);
    refused(['api://1111aaaa-0000-4000-8000-000000000000/.default'], trusted);
  });

  it('on Entra, refuses Graph, Resource Manager and any other resource', () => {
    for (const s of [
      'User.Read',
      'https://graph.microsoft.com/.default',
      'https://management.azure.com/user_impersonation',
      'https://vault.azure.net/.default',
      'https://sherpa.example.io/other/access_as_user',
      'https://evil.example.io/mcp/access_as_user',
    ]) {
      refused([s], ENTRA);
    }
  });

  it('names the source and the scope in the error', () => {
    try {
      assertServerScopes(['VSCODE_TENANT:x'], { ...LAB, source: 'protected-resource-metadata' });
      assert.fail('should throw');
    } catch (e) {
      assert.ok(isSherpaError(e));
      assert.match(e.message, /VSCODE_TENANT:x.*protected-resource-metadata/);
      assert.equal(e.details?.source, 'protected-resource-metadata');
    }
  });
});

describe('assertEntraResourceScope (issue 16 HIGH 1)', () => {
  const RES = 'https://sherpa.example.io/mcp';
  const missing = (e: unknown) => isSherpaError(e, 'RESOURCE_SCOPE_MISSING');
  it('refuses an empty or OpenID-only list, naming the resource', () => {
    for (const scopes of [[], ['openid', 'profile', 'email', 'offline_access']])
      assert.throws(() => assertEntraResourceScope(scopes, { resource: RES, stage: 'test' }), missing);
    assert.throws(
      () => assertEntraResourceScope([], { resource: RES, stage: 'test' }),
      /Microsoft Graph token/,
    );
  });
  it('accepts a scope of the resource, or of an api:// identifier trusted for it', () => {
    assertEntraResourceScope(['openid', `${RES}/access_as_user`], { resource: RES, stage: 'test' });
    assertEntraResourceScope(['api://x/access_as_user'], {
      resource: RES,
      trustedApiIdentifiers: ['api://x'],
      stage: 'test',
    });
    assert.throws(
      () => assertEntraResourceScope(['api://x/access_as_user'], { resource: RES, stage: 'test' }),
      missing,
    );
  });
  it('an untrusted api:// refusal names the identifier, for the trust offer', () => {
    try {
      assertServerScopes(['api://x/access_as_user'], ENTRA);
      assert.fail('should throw');
    } catch (e) {
      assert.ok(isSherpaError(e, 'UNTRUSTED_SCOPE'));
      assert.equal(e.details?.apiIdentifier, 'api://x');
    }
  });
});
