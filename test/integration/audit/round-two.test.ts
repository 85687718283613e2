/**
 * Issue 19's second round of checks against the small loopback server of broken-authorization-server.ts,
 * one defect at a time: token endpoint caching, refresh tokens for public clients, the opt-in registration
 * probes (and their clean-up), RFC 9207 `iss` in a real error response, CIMD fetches of private addresses,
 * a gateway stripping Authorization, `Mcp-Method` consistency, and the per-client sign-in predictions. Each
 * defect is caught by its check; the same server without it passes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UnsecuredJWT } from 'jose';
import type { AuditReport } from '../../../src/core/audit/findings';
import { auditServer, type AuditOptions } from '../../../src/core/audit/run-audit';
import {
  CORRECT_AS,
  startBrokenAuthorizationServer,
  type BrokenAsOptions,
} from '../../support/audit/broken-authorization-server';

const TOKEN = 'sherpa-round-two-held-token-0001';

async function auditOf(o: BrokenAsOptions, options: AuditOptions = {}): Promise<AuditReport> {
  const server = await startBrokenAuthorizationServer(o);
  try {
    return await auditServer(server.url, options);
  } finally {
    await server.close();
  }
}
const byId = (r: AuditReport, id: string) => {
  const f = r.findings.find((x) => x.id === id);
  assert.ok(f, `finding ${id}`);
  return f;
};
/** Failed checks, without the per-client predictions (compat.*), which follow from the others. */
const failedChecks = (r: AuditReport) =>
  r.findings
    .filter((f) => f.status === 'fail' && !f.id.startsWith('compat.'))
    .map((f) => f.id)
    .sort();

describe('audit round two: authorization server hygiene', () => {
  test('token endpoint: no-store on the error response passes; without it a warning naming the success path', async () => {
    const good = byId(await auditOf(CORRECT_AS), 'as.token-no-store');
    assert.equal(good.status, 'pass', good.detail);
    assert.equal(good.evidence[0]?.headers?.['cache-control'], 'no-store');
    const bad = byId(await auditOf({ ...CORRECT_AS, noStore: false }), 'as.token-no-store');
    assert.equal(bad.status, 'warn', bad.detail);
    assert.match(bad.detail, /\(HTTP 400\) without no-store/);
    assert.match(bad.detail, /verify the success path/);
  });

  test('refresh tokens for public clients: unbound → warning about rotation, DPoP-bound or none → pass', async () => {
    const unbound = byId(
      await auditOf({ ...CORRECT_AS, refreshPublic: 'unbound' }),
      'as.refresh-public-clients',
    );
    assert.equal(unbound.status, 'warn', unbound.detail);
    assert.match(unbound.detail, /rotation/);
    const dpop = byId(await auditOf({ ...CORRECT_AS, refreshPublic: 'dpop' }), 'as.refresh-public-clients');
    assert.equal(dpop.status, 'pass', dpop.detail);
    assert.match(dpop.detail, /DPoP/);
    assert.equal(byId(await auditOf(CORRECT_AS), 'as.refresh-public-clients').status, 'pass');
  });
});

describe('audit round two: --probe-registration (writes, opt-in)', () => {
  test('off by default: nothing is registered, and the report says why', async () => {
    const r = await auditOf({ ...CORRECT_AS, dcr: 'open' });
    const f = byId(r, 'registration.probe');
    assert.equal(f.status, 'skip');
    assert.match(f.detail, /--probe-registration .*writes.*off by default/);
    assert.equal(
      r.findings.filter((x) => x.id.startsWith('registration.') && x.id !== 'registration.probe').length,
      0,
    );
  });

  test('a strict DCR refuses every abusive registration, and the probes clean up after themselves (RFC 7592)', async () => {
    const r = await auditOf({ ...CORRECT_AS, dcr: 'strict' }, { probeRegistration: true });
    assert.deepEqual(
      failedChecks(r),
      [],
      JSON.stringify(
        r.findings.filter((f) => f.status === 'fail'),
        null,
        1,
      ),
    );
    for (const id of [
      'registration.http-redirect',
      'registration.dangerous-scheme',
      'registration.empty-redirects',
      'registration.confidential-loose-redirect',
      'registration.reserved-name',
      'as.iss-in-response',
    ])
      assert.equal(byId(r, id).status, 'pass', `${id}: ${byId(r, id).detail}`);
    const made = byId(r, 'registration.probe');
    assert.equal(made.status, 'pass', made.detail);
    // The iss probe's loopback client and the clients' own https/loopback redirect sets were registered,
    // then deleted with their registration_access_token.
    assert.match(made.detail, /^(\d+) registration\(s\) made, \1 deleted/);
    assert.ok(
      made.evidence.some((e) => /^DELETE registration_client_uri/.test(e.request) && e.status === 204),
    );
    assert.match(byId(r, 'as.iss-in-response').detail, /error=unsupported_response_type came back with iss=/);
    // Cursor's cursor:// URI is refused by this (MCP-strict) DCR, so Cursor cannot sign in; Claude can.
    assert.equal(byId(r, 'compat.cursor').status, 'fail');
    assert.match(byId(r, 'compat.cursor').detail, /will not sign in: DCR refused .*cursor:\/\//);
    assert.equal(byId(r, 'compat.claude').status, 'pass', byId(r, 'compat.claude').detail);
    const text = JSON.stringify(r);
    assert.doesNotMatch(text, /registration_access_token"?:/, 'no management token in the report');
  });

  test('an open DCR is caught by each registration check, and what it kept is listed for removal', async () => {
    const r = await auditOf({ ...CORRECT_AS, dcr: 'open' }, { probeRegistration: true });
    assert.deepEqual(failedChecks(r), [
      'registration.confidential-loose-redirect',
      'registration.dangerous-scheme',
      'registration.empty-redirects',
      'registration.http-redirect',
      'registration.reserved-name',
    ]);
    assert.match(byId(r, 'registration.dangerous-scheme').detail, /javascript, data, file/);
    const made = byId(r, 'registration.probe');
    assert.equal(made.status, 'warn');
    assert.match(made.detail, /0 deleted \(RFC 7592\); REMOVE BY HAND: client-[0-9a-f]+/);
    assert.ok(made.evidence.filter((e) => /NOT deleted/.test(e.note ?? '')).length >= 8);
  });

  test('RFC 9207: advertised but missing from a real error response is a failure', async () => {
    const r = await auditOf(
      { ...CORRECT_AS, dcr: 'strict', dropIssInResponse: true },
      { probeRegistration: true },
    );
    assert.deepEqual(failedChecks(r), ['as.iss-in-response']);
    assert.match(byId(r, 'as.iss-in-response').detail, /WITHOUT iss/);
  });

  test('CIMD: a server that fetches a client_id URL on 127.0.0.1 is caught connecting; one that refuses passes', async () => {
    const ssrf = await auditOf({ ...CORRECT_AS, cimd: 'fetches' }, { probeRegistration: true });
    assert.deepEqual(failedChecks(ssrf), ['registration.cimd-private-address']);
    assert.match(
      byId(ssrf, 'registration.cimd-private-address').detail,
      /^SSRF: the authorization server connected to https:\/\/127\.0\.0\.1:\d+/,
    );
    assert.match(byId(ssrf, 'registration.probe').detail, /^nothing registered: .*no dynamic registration/);
    const safe = byId(
      await auditOf({ ...CORRECT_AS, cimd: 'refuses' }, { probeRegistration: true }),
      'registration.cimd-private-address',
    );
    assert.equal(safe.status, 'pass', safe.detail);
    assert.match(safe.detail, /not fetched/);
  });
});

describe('audit round two: transport', () => {
  test('a gateway that strips Authorization: the held token gets the no-token challenge', async () => {
    const r = await auditOf(
      { ...CORRECT_AS, acceptToken: TOKEN, stripAuthorization: true },
      { tokens: { valid: TOKEN } },
    );
    const f = byId(r, 'transport.authorization-forwarded');
    assert.equal(f.status, 'fail', f.detail);
    assert.match(f.detail, /strips Authorization/);
    assert.equal(f.evidence.length, 2);
    const ok = byId(
      await auditOf({ ...CORRECT_AS, acceptToken: TOKEN }, { tokens: { valid: TOKEN } }),
      'transport.authorization-forwarded',
    );
    assert.equal(ok.status, 'pass', ok.detail);
  });

  test('Mcp-Method (SEP-2243): a 2026-07-28 server refusing the mismatch passes, one running the body is a warning', async () => {
    const good = byId(
      await auditOf({ ...CORRECT_AS, acceptToken: TOKEN }, { tokens: { valid: TOKEN } }),
      'transport.mcp-method-header',
    );
    assert.equal(good.status, 'pass', good.detail);
    assert.match(good.detail, /-32020/);
    const bad = byId(
      await auditOf(
        { ...CORRECT_AS, acceptToken: TOKEN, ignoreMcpMethod: true },
        { tokens: { valid: TOKEN } },
      ),
      'transport.mcp-method-header',
    );
    assert.equal(bad.status, 'warn', bad.detail);
    assert.equal(bad.level, 'info');
    assert.match(bad.detail, /MUST be 400 \/ -32020/);
  });
});

describe('audit round two: sign-in compatibility per client (predicted)', () => {
  test('no PKCE methods, no DCR: Cursor (DCR only) will not sign in; VS Code needs a hand-registered id', async () => {
    const r = await auditOf({ ...CORRECT_AS, pkce: undefined });
    assert.match(
      byId(r, 'compat.cursor').detail,
      /will not sign in: none of its registration ways is offered \(dynamic registration\)/,
    );
    const vscode = byId(r, 'compat.vscode');
    assert.equal(vscode.status, 'warn', vscode.detail);
    assert.match(vscode.detail, /client id registered by hand/);
    // Every prediction names the sources of the client's row.
    for (const id of [
      'compat.vscode',
      'compat.claude',
      'compat.cursor',
      'compat.chatgpt',
      'compat.inspector',
      'compat.mcp-remote',
    ])
      assert.match(byId(r, id).evidence[0]!.note!, /sources: https:\/\//, id);
  });

  test('CIMD offered: ChatGPT and the Inspector sign in through it', async () => {
    const r = await auditOf({ ...CORRECT_AS, cimd: 'refuses' });
    for (const id of ['compat.chatgpt', 'compat.inspector']) {
      assert.equal(byId(r, id).status, 'pass', byId(r, id).detail);
      assert.match(byId(r, id).detail, /via a Client ID Metadata Document/);
    }
  });
});

describe('audit round two: Entra doctor extras (--entra-doctor on an Entra-shaped server)', () => {
  const jwt = (claims: Record<string, string>) => new UnsecuredJWT(claims).setExpirationTime('1h').encode();

  test('App ID URI: {server URL}/access_as_user passes, api://… fails naming AADSTS9010010, a bare name fails', async () => {
    const url = byId(
      await auditOf({ ...CORRECT_AS, scope: 'url' }, { entraDoctor: true }),
      'entra.app-id-uri',
    );
    assert.equal(url.status, 'pass', url.detail);
    const api = byId(
      await auditOf({ ...CORRECT_AS, scope: 'api' }, { entraDoctor: true }),
      'entra.app-id-uri',
    );
    assert.equal(api.status, 'fail', api.detail);
    assert.match(
      api.detail,
      /App ID URI is api:\/\/c0a8f3e2-[^ ]+ but the canonical server URL is http:\/\/127\.0\.0\.1:\d+\/mcp: .*AADSTS9010010/,
    );
    const bare = byId(await auditOf(CORRECT_AS, { entraDoctor: true }), 'entra.app-id-uri');
    assert.equal(bare.status, 'fail', bare.detail);
    assert.match(bare.detail, /bare name/);
  });

  test('token version: a v1 token (sts.windows.net, ver 1.0) fails naming requestedAccessTokenVersion; v2 passes', async () => {
    const v1 = jwt({ iss: 'https://sts.windows.net/6f1d4c2a-3b8e-4f7a-9c51-2d0e8b7a4f13/', ver: '1.0' });
    const f1 = byId(
      await auditOf({ ...CORRECT_AS, scope: 'url' }, { entraDoctor: true, tokens: { valid: v1 } }),
      'entra.token-version',
    );
    assert.equal(f1.status, 'fail', f1.detail);
    assert.match(f1.detail, /requestedAccessTokenVersion/);
    const v2 = jwt({
      iss: 'https://login.microsoftonline.com/6f1d4c2a-3b8e-4f7a-9c51-2d0e8b7a4f13/v2.0',
      ver: '2.0',
    });
    const f2 = byId(
      await auditOf({ ...CORRECT_AS, scope: 'url' }, { entraDoctor: true, tokens: { valid: v2 } }),
      'entra.token-version',
    );
    assert.equal(f2.status, 'pass', f2.detail);
    // Not Entra and no --entra-doctor: nothing to say.
    assert.equal(byId(await auditOf(CORRECT_AS), 'entra.token-version').status, 'skip');
  });
});
