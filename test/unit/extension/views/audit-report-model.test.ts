/**
 * The Audit view's groups (src/extension/views/audit/report-model.ts): the compat.* predictions, made by
 * the audit's own checks-compat.ts for a given server's metadata, become one "Sign-in compatibility" group
 * with a row per client profile, after every OWASP group and out of "Other checks".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHECKS } from '../../../../src/core/audit/catalogue';
import { runCompatibilityChecks } from '../../../../src/core/audit/checks-compat';
import { CLIENT_PROFILES } from '../../../../src/core/audit/client-profiles';
import type { AuditContext } from '../../../../src/core/audit/context';
import { toFinding, type Finding } from '../../../../src/core/audit/findings';
import { compatGroup, groupReport, OWASP_ORDER } from '../../../../src/extension/views/audit/report-model';

const RESOURCE = 'http://127.0.0.1:3001/mcp';
const LAB_AS = {
  issuer: 'http://127.0.0.1:7480/t/v2.0',
  authorization_endpoint: 'http://127.0.0.1:7480/t/oauth2/v2.0/authorize',
  token_endpoint: 'http://127.0.0.1:7480/t/oauth2/v2.0/token',
  code_challenge_methods_supported: ['S256'],
  registration_endpoint: 'http://127.0.0.1:7480/t/register',
};
// Entra's v2.0 metadata has no registration endpoint and lists no PKCE methods.
const ENTRA_AS = {
  issuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
  authorization_endpoint:
    'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize',
  token_endpoint: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token',
};

/** The findings the audit records for a server with this metadata (plus a few non-compat ones). */
function findingsFor(as: object | undefined, prm = true): Finding[] {
  const ctx = {
    prm: prm ? { metadata: { resource: RESOURCE }, url: '' } : undefined,
    as: as ? { metadata: as } : undefined,
    findings: [
      toFinding(CHECKS.prmFound, { status: 'pass', detail: 'found' }),
      toFinding(CHECKS.transportMcpMethod, { status: 'pass', detail: 'honoured' }),
    ],
    entraDoctor: false,
  } as unknown as AuditContext;
  runCompatibilityChecks(ctx);
  return ctx.findings;
}

describe('Audit view: sign-in compatibility group', () => {
  test('one row per client, in the profiles order, the verdict from the prediction', () => {
    const findings = findingsFor(LAB_AS);
    const group = compatGroup({ findings })!;
    assert.deepEqual(
      group.rows.map((r) => r.clientId),
      CLIENT_PROFILES.map((p) => p.id),
    );
    const byId = new Map(group.rows.map((r) => [r.clientId, r]));
    for (const row of group.rows) {
      const f = findings.find((x) => x.id === `compat.${row.clientId}`)!;
      assert.equal(row.reason, f.detail);
      assert.equal(row.verdict, { pass: 'will', warn: 'may', fail: 'wont', skip: 'unknown' }[f.status]);
    }
    // VS Code registers loopback and https redirects: DCR takes them. Cursor's cursor:// redirect is one
    // an https-and-loopback DCR policy refuses: a "may", with that reason.
    assert.equal(byId.get('vscode')!.verdict, 'will', byId.get('vscode')!.reason);
    assert.equal(byId.get('cursor')!.verdict, 'may');
    assert.match(byId.get('cursor')!.reason, /cursor:\/\/anysphere/);
    const { will, may, wont, unknown } = group.counts;
    assert.equal(will + may + wont + unknown, CLIENT_PROFILES.length);
    assert.equal(will, group.rows.filter((r) => r.verdict === 'will').length);
  });

  test("against Entra ID (no DCR), DCR-only clients won't sign in and say why", () => {
    const group = compatGroup({ findings: findingsFor(ENTRA_AS) })!;
    const cursor = group.rows.find((r) => r.clientId === 'cursor')!;
    assert.equal(cursor.verdict, 'wont');
    assert.match(
      cursor.reason,
      /none of its registration ways is offered .*Entra ID has no dynamic registration/,
    );
    const vscode = group.rows.find((r) => r.clientId === 'vscode')!;
    assert.notEqual(vscode.verdict, 'wont', vscode.reason);
    assert.match(vscode.reason, /Entra's pre-registered first-party client/);
    assert.ok(group.counts.wont >= 2, JSON.stringify(group.counts));
  });

  test('no PRM: every client is "cannot tell", not a pass', () => {
    const group = compatGroup({ findings: findingsFor(LAB_AS, false) })!;
    assert.deepEqual(
      group.rows.map((r) => r.verdict),
      CLIENT_PROFILES.map(() => 'unknown'),
    );
  });

  test('a row opens on the registration path, redirect URIs, resource and every source of its profile', () => {
    const group = compatGroup({ findings: findingsFor(LAB_AS) })!;
    for (const row of group.rows) {
      const p = CLIENT_PROFILES.find((x) => x.id === row.clientId)!;
      const kinds = row.details.map((d) => d.kind);
      assert.deepEqual(kinds.slice(0, 3), ['registration', 'redirect-uris', 'resource'], row.clientId);
      const value = (k: string) => row.details.find((d) => d.kind === k)!.value;
      for (const uri of p.redirectUris)
        assert.ok(value('redirect-uris').includes(uri), `${row.clientId}: ${uri}`);
      assert.equal(value('registration').split(' → ').length, p.registration.length);
      assert.match(value('resource'), /^(sent|not sent) \(RFC 8707\); to Entra ID: (sent|not sent)$/);
      const sources = row.details.filter((d) => d.kind === 'source');
      assert.deepEqual(
        sources.map((s) => s.url),
        p.sources.map((s) => s.url),
      );
      assert.equal(kinds.includes('scopes'), p.scopeExtras.length > 0, row.clientId);
    }
    const vscode = group.rows.find((r) => r.clientId === 'vscode')!;
    assert.equal(
      vscode.details[0]!.value,
      "Entra's pre-registered first-party client → a Client ID Metadata Document → dynamic registration → a client id registered by hand",
    );
    assert.equal(vscode.details[2]!.value, 'sent (RFC 8707); to Entra ID: not sent');
  });

  test('groupReport: OWASP groups in their fixed order, compat.* out of "Other checks", compat last', () => {
    const findings = findingsFor(LAB_AS);
    const { owasp, compat } = groupReport({ findings });
    assert.deepEqual(
      owasp.map((g) => g.key),
      OWASP_ORDER.filter((k) => owasp.some((g) => g.key === k)),
    );
    const grouped = owasp.flatMap((g) => g.findings.map((f) => f.id));
    assert.ok(!grouped.some((id) => id.startsWith('compat.')), grouped.join(' '));
    assert.ok(
      owasp.find((g) => g.key === 'other')!.findings.some((f) => f.id === 'transport.mcp-method-header'),
    );
    assert.equal(compat!.rows.length, CLIENT_PROFILES.length);
    // An older report (no predictions) has no compatibility group.
    const old = groupReport({ findings: findings.filter((f) => !f.id.startsWith('compat.')) });
    assert.equal(old.compat, undefined);
    assert.deepEqual(
      old.owasp.map((g) => g.key),
      owasp.map((g) => g.key),
    );
  });
});
