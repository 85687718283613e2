import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as client from 'openid-client';
import { assertPkceAdvertised } from '../../../../src/core/client/resource-discovery';
import { isEntraV2TenantIssuer } from '../../../../src/core/entra';
import { isSherpaError } from '../../../../src/core/errors';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

function as(issuer: string, methods?: string[]) {
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    ...(methods ? { code_challenge_methods_supported: methods } : {}),
  } as client.ServerMetadata;
  return { issuer, metadata, method: 'oidc-append' as const };
}

function refused(issuer: string, methods?: string[]): boolean {
  try {
    assertPkceAdvertised(as(issuer, methods));
    return false;
  } catch (err) {
    assert.ok(isSherpaError(err, 'AS_METADATA_INVALID'), String(err));
    return true;
  }
}

describe('PKCE advertisement (MCP 2025-11-25: refuse an AS without code_challenge_methods_supported)', () => {
  it('a non-Entra AS without code_challenge_methods_supported is refused, naming the field', () => {
    assert.throws(
      () => assertPkceAdvertised(as('https://auth.example.com')),
      (err: unknown) =>
        isSherpaError(err, 'AS_METADATA_INVALID') &&
        /code_challenge_methods_supported/.test(err.message) &&
        /S256/.test(err.hint ?? ''),
    );
    assert.ok(refused('http://127.0.0.1:7001/lab-tenant/v2.0'));
  });

  it('an AS that lists methods but not S256 is refused, Entra or not', () => {
    assert.ok(refused('https://auth.example.com', ['plain']));
    assert.ok(refused(`https://login.microsoftonline.com/${TENANT}/v2.0`, ['plain']));
  });

  it('an AS that lists S256 proceeds', () => {
    assert.ok(!refused('https://auth.example.com', ['S256']));
    assert.ok(!refused('https://auth.example.com', ['plain', 'S256']));
  });

  it('only an Entra v2.0 tenant issuer (real Entra, or the lab posing as it) is let through without the field', () => {
    assert.ok(!refused(`https://login.microsoftonline.com/${TENANT}/v2.0`));
    assert.ok(!refused('https://login.microsoftonline.com/organizations/v2.0'));
    assert.ok(!refused(`https://login.microsoftonline.us/${TENANT}/v2.0/`));
    // Entra's host but not its v2.0 issuer shape, or a look-alike host: refused.
    assert.ok(refused(`https://login.microsoftonline.com/${TENANT}/`));
    assert.ok(refused(`https://login.microsoftonline.com/${TENANT}/v2.0/extra`));
    assert.ok(refused(`https://login.microsoftonline.com:8443/${TENANT}/v2.0`));
    assert.ok(refused(`http://login.microsoftonline.com/${TENANT}/v2.0`));
    assert.ok(refused(`https://login.microsoftonline.com.evil.example/${TENANT}/v2.0`));
    assert.ok(refused(`https://evil.example/login.microsoftonline.com/${TENANT}/v2.0`));
  });

  it('isEntraV2TenantIssuer is exactly https://{Entra host}/{tenant}/v2.0', () => {
    assert.equal(isEntraV2TenantIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`), true);
    assert.equal(isEntraV2TenantIssuer(`https://sts.windows.net/${TENANT}/`), false);
    assert.equal(isEntraV2TenantIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0?x=1`), false);
    assert.equal(isEntraV2TenantIssuer('not a url'), false);
  });
});
