/**
 * `sherpa connect` and `sherpa audit` against a server nobody here wrote (issue 17 §3b): FastMCP for
 * TypeScript (npm `fastmcp` 4.20.16) protected as its README's "OAuth Discovery Endpoints" section shows —
 * `oauth.enabled` with the lab's metadata and the Protected Resource Metadata, and an `authenticate` hook that
 * verifies the bearer JWT against the lab's JWKS (issuer, `aud` and scope checked) and throws a bare 401
 * Response. Server code: test/interop/fastmcp/server.mjs, run against scripts/tools-lock/fastmcp-4.20.16.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectToLab } from '../../support/interop/lab-audit';
import { assertConnectedAsAlice, outsiderServerSuite } from '../../support/interop/server-suite';

/** What the documented setup gets wrong, each a true property asserted from the audit's evidence below. */
const TRUE_FINDINGS = {
  // The README's `authenticate` throws `new Response(null, { status: 401 })`: FastMCP (mcp-proxy) sends that
  // Response as it is, with no WWW-Authenticate (RFC 9110 §15.5.2 MUST) — clients find the PRM only by
  // probing the well-known URLs (sherpa connect does: "path-suffixed" below).
  'unauth.www-authenticate': 'fail',
  // mcp-proxy answers every request with `Access-Control-Allow-Origin: *`.
  'transport.cors': 'warn',
  // Neither FastMCP nor mcp-proxy checks Origin or Host (MCP transports: servers MUST validate Origin).
  'token.foreign-origin': 'fail',
  'token.foreign-host': 'fail',
  // The README's hook compares `startsWith("Bearer ")`: the scheme is case-insensitive (RFC 7235 §2.1).
  'bearer.scheme-case': 'fail',
  // With no challenge at all, no refused bearer value gets error="invalid_token" (RFC 6750 §3.1).
  'bearer.random-opaque': 'warn',
  'bearer.malformed': 'warn',
  'bearer.oversized': 'warn',
  'bearer.duplicate-header': 'warn',
  // Refused, but with the same bare 401: no `insufficient_scope` 403 a client could step up from.
  'token.insufficient-scope': 'warn',
};

describe('FastMCP (oauth discovery + authenticate hook) trusting sherpa lab', () => {
  const s = outsiderServerSuite('fastmcp', {
    trueFindings: TRUE_FINDINGS,
    brokenVariant: "signature-only verify, the README's example",
    row: (server) => ({
      server: 'FastMCP (TypeScript)',
      serverVersion: server.packageVersion,
      notes: '401 without WWW-Authenticate: the PRM is found at the path-suffixed well-known URL',
      test: 'test/integration/interop/fastmcp.test.ts',
    }),
  });

  test('sherpa connect finds the PRM without a challenge, signs in, lists the tools and calls whoami', async () => {
    const r = await connectToLab(s.server.mcpUrl);
    assertConnectedAsAlice(r, 'fastmcp-interop', "whoami: FastMCP's session is alice's");
    assert.match(
      r.stdout,
      /✔ prm +http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp \(path-suffixed\)/,
    );
    s.measured.signIn =
      'ok — pre-registered (lab), PKCE, no resource, api:// scope (PRM by well-known probe)';
    s.measured.tools = 'ok — tools/list (1), tools/call whoami';
  });

  test('sherpa audit: every finding is a true property of the documented setup', async () => {
    const r = await s.auditDocumented();
    assert.match(r.detail('unauth.www-authenticate'), /no WWW-Authenticate header/);
    assert.match(r.detail('transport.cors'), /Access-Control-Allow-Origin: \*/);
    assert.match(r.detail('token.foreign-origin'), /ACCEPTED .*https:\/\/attacker\.example/);
    assert.match(r.detail('token.foreign-host'), /ACCEPTED .*Host: attacker\.example/);
    assert.match(r.detail('bearer.scheme-case'), /under `bearer` was refused \(401\)/);
    assert.match(r.detail('bearer.malformed'), /401 without error="invalid_token"/);
    // The checks that matter most hold: the hook verifies what it should.
    for (const id of ['token.other-resource', 'token.expired', 'token.attacker-key', 'token.alg-none'])
      assert.match(r.detail(id), /refused \(401/, id);
    s.measured.audit = r.counts;
  });

  test("the broken variant (the README's verify: signature only) is caught: token.other-resource fails", async () => {
    await s.auditNoAudienceVariant();
  });
});
