/**
 * `auditServer` (src/core/audit) against the REAL lab processes: the secure server passes every MUST,
 * the vulnerable one fails exactly what it should, each with evidence; variants of the real secure
 * server configured the way the workshop got wrong are caught by exactly the check meant for them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditServer } from '../../../src/core/audit/run-audit';
import type { AuditReport } from '../../../src/core/audit/findings';
import {
  LAB_API_APP_ID_URI,
  LAB_API_CLIENT_ID,
  LAB_OTHER_API_APP_ID_URI,
  LAB_STATIC_TOKEN,
  LAB_TENANT_ID,
} from '../../../src/servers/shared/lab-defaults';
import { startLabProcess, type LabProcess } from '../../support/lab';
import { readLabSigningKey, resignLabToken, signInToLab } from '../../support/lab-tokens';
import { startServerProcess, type ServerProcess } from '../../support/server-process';
import { onFreePort } from '../../support/free-port';
import { GATE_STATIC_KEY, startDefectGate, type Defect } from '../../support/audit/defect-gate';

/** Failed checks; the per-client sign-in predictions (compat.*) follow from them and have their own tests. */
const failed = (r: AuditReport) =>
  r.findings
    .filter((f) => f.status === 'fail' && !f.id.startsWith('compat.'))
    .map((f) => f.id)
    .sort();
const byId = (r: AuditReport, id: string) => {
  const f = r.findings.find((x) => x.id === id);
  assert.ok(f, `finding ${id}`);
  return f;
};

/** The tokens the audit can use against the lab: alice's, another API's, bob's narrow one, an expired one. */
async function labTokens(
  lab: LabProcess,
): Promise<Record<'valid' | 'foreign' | 'narrow' | 'expired', string>> {
  const valid = (await signInToLab(lab, { user: 'alice' })).accessToken;
  const foreign = (
    await signInToLab(lab, {
      user: 'alice',
      scopes: [`${LAB_OTHER_API_APP_ID_URI}/access_as_user`],
      resource: LAB_OTHER_API_APP_ID_URI,
    })
  ).accessToken;
  const narrow = (await signInToLab(lab, { user: 'bob', scopes: ['openid'], resource: lab.secure }))
    .accessToken;
  const key = await readLabSigningKey(lab.dataDir);
  const now = Math.floor(Date.now() / 1000);
  const expired = await resignLabToken(
    valid,
    { iat: now - 7200, nbf: now - 7200, exp: now - 3600 },
    { key: key.privateKey },
  );
  return { valid, foreign, narrow, expired };
}

// One lenient lab (and its tokens) for the two suites that need it; the strict one has its own.
let lab: LabProcess;
const tokens: Record<string, string> = {};
before(async () => {
  lab = await startLabProcess();
  Object.assign(tokens, await labTokens(lab));
});
after(() => lab?.stop());

describe('audit against the lab', () => {
  test('the secure server passes every MUST, with evidence for each probe', async () => {
    const r = await auditServer(lab.secure, { tokens, entraDoctor: true });
    assert.deepEqual(
      failed(r),
      [],
      JSON.stringify(
        r.findings.filter((f) => f.status === 'fail'),
        null,
        1,
      ),
    );
    assert.deepEqual(
      r.findings.filter((f) => f.status === 'skip').map((f) => f.id),
      ['registration.probe'],
      'with every token at hand nothing is skipped but the registration probes, which write and are opt-in',
    );
    // Round two (issue 19): the lab's token endpoint never caches, its PRM scope is {server URL}/access_as_user,
    // alice's token is v2, the Authorization header arrives, and every client is predicted to sign in.
    assert.equal(byId(r, 'as.token-no-store').status, 'pass', byId(r, 'as.token-no-store').detail);
    assert.equal(byId(r, 'entra.app-id-uri').status, 'pass', byId(r, 'entra.app-id-uri').detail);
    assert.equal(byId(r, 'entra.token-version').status, 'pass', byId(r, 'entra.token-version').detail);
    assert.equal(byId(r, 'transport.authorization-forwarded').status, 'pass');
    for (const f of r.findings.filter((x) => x.id.startsWith('compat.')))
      assert.notEqual(f.status, 'fail', `${f.id}: ${f.detail}`);
    for (const id of [
      'token.tampered',
      'token.alg-none',
      'token.attacker-key',
      'token.other-resource',
      'token.expired',
    ]) {
      const f = byId(r, id);
      assert.equal(f.status, 'pass', `${id}: ${f.detail}`);
      assert.equal(f.evidence[0]?.status, 401, id);
      assert.match(
        f.evidence[0]!.request,
        /Authorization: Bearer <[^>]+>/,
        'the token is named, never shown',
      );
    }
    assert.equal(byId(r, 'token.insufficient-scope').evidence[0]?.status, 403);
    assert.match(byId(r, 'token.insufficient-scope').detail, /insufficient_scope/);
    assert.equal(byId(r, 'token.foreign-origin').evidence[0]?.status, 403);
    // Bearer edge cases: each malformed credential gets 401 invalid_token; `bearer` is Bearer.
    for (const id of [
      'bearer.random-opaque',
      'bearer.malformed',
      'bearer.oversized',
      'bearer.duplicate-header',
    ]) {
      assert.equal(byId(r, id).status, 'pass', `${id}: ${byId(r, id).detail}`);
      assert.equal(byId(r, id).evidence[0]?.status, 401, id);
      assert.match(byId(r, id).detail, /^401 invalid_token/, id);
    }
    assert.match(byId(r, 'bearer.scheme-case').detail, /accepted/);
    // The lab's real authorization server: S256 only, and an unknown client's redirect_uri is never used.
    assert.equal(byId(r, 'as.pkce-no-plain').detail, 'only S256');
    assert.match(
      byId(r, 'as.open-redirect').detail,
      /^no redirect: the server answered itself \(HTTP 4\d\d\)$/,
    );
    assert.match(byId(r, 'bearer.credential-kind').detail, new RegExp(`a JWT of ${lab.issuer}`));
    // Nothing in the report is a token.
    const text = JSON.stringify(r);
    for (const t of Object.values(tokens))
      assert.equal(text.includes(t), false, 'a token leaked into the report');
  });

  test("--probe-registration against the lab's real DCR (oidc-provider): what it accepts, and every registration listed", async () => {
    const r = await auditServer(lab.secure, { tokens, entraDoctor: true, probeRegistration: true });
    const reg = r.findings.filter((f) => f.id.startsWith('registration.') || f.id === 'as.iss-in-response');
    process.stdout.write(`# ${reg.map((f) => `${f.id}=${f.status}: ${f.detail}`).join('\n# ')}\n`);
    // The lab keeps only loopback redirect URIs and relabels self-registered names (provider-config.ts).
    for (const id of [
      'registration.http-redirect',
      'registration.dangerous-scheme',
      'registration.empty-redirects',
      'registration.reserved-name',
    ])
      assert.equal(byId(r, id).status, 'pass', `${id}: ${byId(r, id).detail}`);
    assert.equal(byId(r, 'as.iss-in-response').status, 'pass', byId(r, 'as.iss-in-response').detail);
    // TRUE (a SHOULD the lab misses): its loopback rule keeps http://localhost for a client_secret_basic
    // (confidential) client too, where RFC 8252 §8.3 meant loopback redirects for native public clients.
    assert.match(
      byId(r, 'registration.confidential-loose-redirect').detail,
      /^a confidential \(client_secret_basic\) client registered http:\/\/localhost\/callback$/,
    );
    // oidc-provider here offers no RFC 7592 management, so what was registered is listed for removal.
    const made = byId(r, 'registration.probe');
    assert.match(made.detail, /registration\(s\) made/);
    for (const e of made.evidence.filter((x) => x.request.startsWith('registered by probe')))
      assert.match(e.note ?? '', /^client_id \S+; registration_client_uri /);
    // Cursor's request keeps only its loopback URI here: registered, with the rest named as dropped.
    assert.match(byId(r, 'compat.cursor').detail, /dropped .*cursor:\/\//);
  });

  test('the vulnerable server fails loudly, exactly where it should', async () => {
    const r = await auditServer(lab.vulnerable, {
      tokens: { valid: LAB_STATIC_TOKEN, foreign: tokens.foreign!, expired: tokens.expired! },
    });
    assert.deepEqual(failed(r), [
      'prm.found',
      'static.shared-token',
      'token.expired',
      'token.other-resource',
      'unauth.challenge-scope',
      'unauth.resource-metadata',
    ]);
    assert.match(byId(r, 'static.shared-token').detail, /STATIC TOKEN/);
    assert.match(byId(r, 'token.other-resource').detail, /ACCEPTED/);
    assert.equal(byId(r, 'token.other-resource').evidence[0]?.status, 200);
    assert.deepEqual(byId(r, 'token.other-resource').owasp, ['MCP07', 'MCP02']);
    assert.equal(JSON.stringify(r).includes(LAB_STATIC_TOKEN), false, 'the static token is redacted');
  });

  test('an unreachable server cannot be audited (a clear error, not a report)', async () => {
    await assert.rejects(
      auditServer('http://127.0.0.1:9/mcp', { timeoutMs: 2000 }),
      /^SherpaError: Nothing is accepting connections at 127\.0\.0\.1:9\.$/,
    );
  });
});

describe('audit catches each workshop defect in a misconfigured secure server', () => {
  let lab: LabProcess;
  const started: ServerProcess[] = [];
  before(async () => {
    lab = await startLabProcess({ strict: true });
  });
  after(async () => {
    for (const s of started) await s.stop();
    await lab?.stop();
  });

  /** The real secure server, pointed at the strict lab, with `env` changed. */
  async function variant(env: Record<string, string>): Promise<ServerProcess> {
    const s = await startServerProcess('src/servers/secure/main.ts', {
      PORT: '0',
      SHERPA_ISSUER: lab.issuer,
      SHERPA_API_CLIENT_ID: LAB_API_CLIENT_ID,
      SHERPA_ALLOWED_TENANTS: LAB_TENANT_ID,
      SECRETS_FILE: `${lab.dataDir}/secrets.json`,
      ...env,
    });
    started.push(s);
    return s;
  }

  test('PRM scope by api:// while resource is the URL (the workshop pair): Entra doctor predicts AADSTS9010010', async () => {
    const s = await variant({ SHERPA_SCOPES_SUPPORTED: `${LAB_API_APP_ID_URI}/access_as_user` });
    const r = await auditServer(s.url, { entraDoctor: true });
    assert.deepEqual(failed(r), ['entra.app-id-uri', 'entra.resource-scope']);
    assert.match(
      byId(r, 'entra.app-id-uri').detail,
      /App ID URI is api:\/\/.* but the canonical server URL is/,
    );
    // The clients that send resource are predicted to fail on it; VS Code's entry still needs a client id.
    assert.match(byId(r, 'compat.claude').detail, /will not sign in: .*sends resource=.*AADSTS9010010/);
    const f = byId(r, 'entra.resource-scope');
    assert.match(f.detail, /AADSTS9010010 — Entra compares the request's resource/);
    assert.match(f.detail, /without resource the sign-in page is reached/);
    assert.equal(f.evidence.length, 4, 'VS Code and Azure CLI, with and without resource');
    assert.match(f.remedy, /identifier URI/);
  });

  test('PRM resource naming another origin than the URL called: caught by prm.resource-match only', async () => {
    const s = await onFreePort((port) =>
      variant({ PORT: String(port), SHERPA_RESOURCE_URL: `http://localhost:${port}/mcp` }),
    );
    const r = await auditServer(`http://127.0.0.1:${new URL(s.url).port}/mcp`);
    assert.deepEqual(
      failed(r),
      ['prm.resource-match'],
      JSON.stringify(r.findings.filter((f) => f.status === 'fail')),
    );
    assert.match(byId(r, 'prm.resource-match').detail, /clients MUST reject/);
  });

  test("the lab's own pair ({server URL}/access_as_user) passes the Entra doctor in strict mode", async () => {
    const r = await auditServer(lab.secure, { entraDoctor: true });
    assert.equal(byId(r, 'entra.resource-scope').status, 'pass', byId(r, 'entra.resource-scope').detail);
  });
});

describe('audit: each broken variant of the secure server is caught by exactly its check', () => {
  const cases: [Defect, string[]][] = [
    ['none', []],
    ['no-audience-check', ['token.other-resource']],
    ['accepts-alg-none', ['token.alg-none']],
    ['skips-signature', ['token.attacker-key', 'token.stripped-signature', 'token.tampered']],
    ['accepts-query-token', ['unauth.query-token']],
    ['no-www-authenticate', ['unauth.www-authenticate']],
    ['no-resource-metadata', ['unauth.resource-metadata']],
    ['ignores-scope', ['token.insufficient-scope']],
    // Bearer handling edge cases (checks-bearer.ts)
    ['crashes-on-malformed-token', ['bearer.malformed']],
    ['crashes-on-oversized-token', ['bearer.oversized']],
    ['reads-last-authorization', ['bearer.duplicate-header']],
    ['case-sensitive-scheme', ['bearer.scheme-case']],
    ['accepts-any-opaque', ['bearer.duplicate-header', 'bearer.oversized', 'bearer.random-opaque']],
    ['accepts-static-key', ['bearer.credential-kind']],
  ];
  for (const [defect, expected] of cases) {
    test(`${defect} → ${expected.join(', ') || 'nothing fails (the gate alone adds no defect)'}`, async () => {
      // The upstream's resource URL names the gate's port, so the gate's port is chosen first.
      const { upstream, gate } = await onFreePort(async (port) => {
        const upstream = await startServerProcess('src/servers/secure/main.ts', {
          PORT: '0',
          SHERPA_ISSUER: lab.issuer,
          SHERPA_API_CLIENT_ID: LAB_API_CLIENT_ID,
          SHERPA_ALLOWED_TENANTS: LAB_TENANT_ID,
          SECRETS_FILE: `${lab.dataDir}/secrets.json`,
          SHERPA_RESOURCE_URL: `http://127.0.0.1:${port}/mcp`,
          ALLOWED_HOSTS: `127.0.0.1:${port}`,
        });
        try {
          const gate = await startDefectGate({
            defect,
            upstream: upstream.origin,
            acceptedToken: tokens.valid!,
            issuer: lab.issuer,
            jwksUri: `${lab.issuer}/jwks`,
            audience: LAB_API_CLIENT_ID,
            port,
          });
          return { upstream, gate };
        } catch (err) {
          await upstream.stop();
          throw err;
        }
      });
      try {
        // The static-key variant is audited with the key its owner hands out, as a person would.
        const r = await auditServer(gate.url, {
          tokens: defect === 'accepts-static-key' ? { ...tokens, valid: GATE_STATIC_KEY } : tokens,
        });
        assert.deepEqual(
          failed(r),
          expected,
          JSON.stringify(
            r.findings.filter((f) => f.status === 'fail'),
            null,
            1,
          ),
        );
        for (const id of expected) assert.ok(byId(r, id).evidence.length > 0, `${id} carries evidence`);
      } finally {
        await gate.close();
        await upstream.stop();
      }
    });
  }
});
