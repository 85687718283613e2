/**
 * `sherpa connect` and `sherpa audit` against a server nobody here wrote (issue 17 §3a): the official
 * TypeScript SDK v2 (`@modelcontextprotocol/server` 2.4.0 with `@modelcontextprotocol/express`), protected as
 * its Express adapter documents — `mcpAuthMetadataRouter` (Protected Resource Metadata naming the lab) and
 * `requireBearerAuth` with the application's `OAuthTokenVerifier` (jose against the lab's JWKS, issuer and
 * `aud` checked). Server code: test/interop/sdk-server-v2/server.mjs, run against scripts/tools-lock/sdk-server-2.4.0.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectToLab, LAB_AS_FINDINGS, type AuditResult } from '../../support/interop/lab-audit';
import { assertConnectedAsAlice, outsiderServerSuite } from '../../support/interop/server-suite';

describe('TypeScript SDK v2 server (requireBearerAuth + PRM) trusting sherpa lab', () => {
  const s = outsiderServerSuite('sdk-server-v2', {
    brokenVariant: 'verifier without aud',
    row: (server) => ({
      server: 'TypeScript SDK v2 server (@modelcontextprotocol/server + express)',
      serverVersion: `${server.packageVersion}, @modelcontextprotocol/express@2.0.2`,
      notes:
        'challenge scope is the bare token scope name (requiredScopes), PRM names the api:// scope; resource omitted (the Entra-shaped lab knows the API by its App ID URI)',
      test: 'test/integration/interop/sdk-server-v2.test.ts',
    }),
  });

  test('sherpa connect signs in, lists the tools and calls whoami', async () => {
    const r = await connectToLab(s.server.mcpUrl);
    assertConnectedAsAlice(r, 'sdk-v2-interop', 'whoami: the SDK passed alice through to the tool');
    assert.match(r.stdout, /✔ probe +401 Bearer .*resource_metadata=/);
    assert.match(r.stdout, /✔ registration pre-registered client/);
    s.measured.signIn = 'ok — pre-registered (lab), PKCE, no resource, api:// scope';
    s.measured.tools = 'ok — tools/list (1), tools/call whoami';
  });

  let report: AuditResult;
  test('sherpa audit: every finding about the server passes — the documented setup is sound', async () => {
    // No true findings: nothing but the lab's own is reported (auditDocumented asserts it exactly).
    report = await s.auditDocumented();
    // What made it pass, from the audit's evidence:
    assert.match(report.detail('unauth.challenge-scope'), /scope="access_as_user"/);
    assert.match(report.detail('token.other-resource'), /refused \(401/);
    assert.match(report.detail('token.expired'), /refused \(401/);
    // requireBearerAuth's 403 insufficient_scope challenge (RFC 6750 §3.1).
    assert.match(report.detail('token.insufficient-scope'), /403/);
    // createMcpExpressApp's default localhost Host/Origin validation (DNS rebinding protection).
    assert.match(report.detail('token.foreign-origin'), /refused \(403\)/);
    assert.match(report.detail('token.foreign-host'), /refused \(403\)/);
    s.measured.audit = report.counts;
  });

  test('the broken variant (the verifier checks no aud) is caught: token.other-resource fails', async () => {
    await s.auditNoAudienceVariant((r) => {
      assert.deepEqual(r.notPassed, { ...LAB_AS_FINDINGS, 'token.other-resource': 'fail' });
    });
  });
});
