/**
 * `sherpa connect` and `sherpa audit` against a server nobody here wrote (issue 17 §3c): npm `mcp-auth` 0.2.0
 * protecting a TypeScript SDK v1 server (`@modelcontextprotocol/sdk` 1.32.2 on Express), in the "resource
 * server mode" its documentation recommends — `protectedResources` naming the lab, the PRM router, and
 * `bearerAuth('jwt', { resource, audience })`. Server code: test/interop/mcp-auth/server.mjs, run against
 * scripts/tools-lock/mcp-auth-0.2.0.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectToLab } from '../../support/interop/lab-audit';
import { assertConnectedAsAlice, outsiderServerSuite } from '../../support/interop/server-suite';

/** What the documented setup gets wrong, each a true property asserted from the audit's evidence below. */
const TRUE_FINDINGS = {
  // bearerAuth's challenge carries error + resource_metadata, never `scope` (mcp-auth has no option for it).
  'unauth.challenge-scope': 'fail',
  // Neither mcp-auth nor the SDK v1 transport checks Origin or Host on a plain Express app.
  'token.foreign-origin': 'fail',
  'token.foreign-host': 'fail',
  // mcp-auth's 'jwt' mode reads scopes from `scope`/`scopes`, and Entra-shaped tokens carry `scp`: no
  // `requiredScopes` can be set, so a token without access_as_user is accepted.
  'token.insufficient-scope': 'fail',
  // A malformed Authorization header is answered with mcp-auth's own error code, not invalid_token.
  'bearer.malformed': 'warn',
};

describe('mcp-auth (resource server mode) + SDK v1 server trusting sherpa lab', () => {
  const s = outsiderServerSuite('mcp-auth', {
    trueFindings: TRUE_FINDINGS,
    brokenVariant: 'no audience, "optional" in its docs',
    row: (server) => ({
      server: 'mcp-auth + TypeScript SDK v1 server',
      serverVersion: `${server.packageVersion}, @modelcontextprotocol/sdk@1.32.2`,
      notes: "'jwt' mode cannot check Entra-shaped scopes (reads scope/scopes, not scp)",
      test: 'test/integration/interop/mcp-auth.test.ts',
    }),
  });

  test('sherpa connect signs in, lists the tools and calls whoami', async () => {
    const r = await connectToLab(s.server.mcpUrl);
    assertConnectedAsAlice(r, 'mcp-auth-interop', "whoami: mcp-auth's req.auth is alice's");
    assert.match(
      r.stdout,
      /✔ prm +http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp \(challenge\)/,
    );
    s.measured.signIn = 'ok — pre-registered (lab), PKCE, no resource, api:// scope';
    s.measured.tools = 'ok — tools/list (1), tools/call whoami';
  });

  test('sherpa audit: every finding is a true property of the documented setup', async () => {
    const r = await s.auditDocumented();
    assert.match(r.detail('unauth.challenge-scope'), /no scope parameter/);
    assert.match(r.detail('token.foreign-origin'), /ACCEPTED .*https:\/\/attacker\.example/);
    assert.match(r.detail('token.foreign-host'), /ACCEPTED .*Host: attacker\.example/);
    assert.match(r.detail('token.insufficient-scope'), /ACCEPTED|accepted/);
    assert.match(r.detail('bearer.malformed'), /401 without error="invalid_token"/);
    for (const id of ['token.other-resource', 'token.expired', 'token.attacker-key', 'token.alg-none'])
      assert.match(r.detail(id), /refused \(401/, id);
    s.measured.audit = r.counts;
  });

  test('the broken variant (no audience, which its docs call optional) is caught: token.other-resource fails', async () => {
    await s.auditNoAudienceVariant((r) => {
      const { 'token.other-resource': _, ...rest } = r.notPassed;
      assert.deepEqual(rest, s.expectedFindings, 'nothing else changes');
    });
  });
});
