/**
 * The Entra configuration checks on a report context built by hand (no network: they only read the
 * PRM, the challenge and the held token's claims): the verified-domain blocker is named for hosts Azure
 * hands out, and the doctor's AADSTS codes come with the explanation from the one table.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainAadsts, runEntraConfigChecks } from '../../../../src/core/audit/checks-entra-config';
import type { AuditContext } from '../../../../src/core/audit/context';
import { LOOPBACK_POLICY } from '../../../../src/core/net/guarded-fetch';

function contextFor(target: string, scope: string): AuditContext {
  return {
    target,
    tokens: {},
    timeoutMs: 1000,
    fetch: () => Promise.reject(new Error('no network in this test')),
    policy: LOOPBACK_POLICY,
    findings: [],
    bodies: [],
    entraDoctor: false,
    prm: {
      url: `${new URL(target).origin}/.well-known/oauth-protected-resource/mcp`,
      metadata: {
        resource: target,
        authorization_servers: [
          'https://login.microsoftonline.com/6f1d4c2a-3b8e-4f7a-9c51-2d0e8b7a4f13/v2.0',
        ],
        scopes_supported: [scope],
      },
    },
  };
}

describe('entra.app-id-uri', () => {
  test('*.azurecontainerapps.io with an api:// scope: fails, and names the verified-domain blocker', () => {
    const ctx = contextFor(
      'https://camp1.kindsea-1234.eastus.azurecontainerapps.io/mcp',
      'api://c0a8/access_as_user',
    );
    runEntraConfigChecks(ctx);
    const f = ctx.findings.find((x) => x.id === 'entra.app-id-uri')!;
    assert.equal(f.status, 'fail');
    assert.match(f.detail, /AADSTS9010010/);
    assert.match(f.detail, /can never be a verified domain/);
    assert.match(f.remedy, /verified custom domain/);
  });

  test('a custom domain whose URL is the App ID URI passes, with no blocker named', () => {
    const ctx = contextFor('https://mcp.contoso.com/mcp', 'https://mcp.contoso.com/mcp/access_as_user');
    runEntraConfigChecks(ctx);
    const f = ctx.findings.find((x) => x.id === 'entra.app-id-uri')!;
    assert.equal(f.status, 'pass', f.detail);
    assert.doesNotMatch(f.detail, /verified domain/);
    assert.equal(ctx.findings.find((x) => x.id === 'entra.token-version')!.status, 'skip');
  });
});

describe('explainAadsts', () => {
  test('650053 (Graph fallback) and 901002 (resource refused) are explained; unknown codes pass through', () => {
    assert.match(
      explainAadsts('AADSTS650053', { resource: 'https://mcp.contoso.com/mcp' }),
      /Microsoft Graph/,
    );
    assert.match(explainAadsts('AADSTS901002'), /refuses the 'resource' request parameter/);
    assert.match(explainAadsts('AADSTS500011'), /identifier URI/);
    assert.equal(explainAadsts('AADSTS123456'), 'AADSTS123456');
  });
});
