/**
 * The Audit view's "Sign-in compatibility" group inside a real extension host: "Sherpa: Audit an MCP
 * Server…" on the lab's secure server shows, after the OWASP groups, one row per client profile with its
 * predicted verdict, and inside each the registration path, redirect URIs, resource and sources; a source
 * opens only if the profiles cite it and assertOpenableUrl accepts it. The registration probes stay off.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CLIENT_PROFILES } from '../../../src/core/audit/client-profiles';
import type { AuditReport } from '../../../src/core/audit/findings';
import type { LabInfo } from '../../../src/lab/lab';
import { getApi, setSetting } from './helpers';

const PORTS = ['lab.authorizationServerPort', 'lab.vulnerablePort', 'lab.securePort'];

suite('Audit view: sign-in compatibility', function () {
  this.timeout(120_000);
  let lab: LabInfo | undefined;

  suiteSetup(async () => {
    await getApi();
    for (const k of PORTS) await setSetting(k, 0);
    lab = await vscode.commands.executeCommand<LabInfo | undefined>('sherpa.lab.start');
    assert.ok(lab, 'the lab started');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('sherpa.lab.stop');
    for (const k of PORTS) await setSetting(k, undefined);
  });

  test("the lab's secure server: a compatibility group last, six client rows with verdict, reason and sources", async () => {
    const api = await getApi();
    const report = await vscode.commands.executeCommand<AuditReport>('sherpa.auditServer', lab!.secure);
    assert.ok(report, 'a report');
    // Off by default: the registration probes WRITE at the authorization server.
    assert.equal(report.findings.find((f) => f.id === 'registration.probe')?.status, 'skip');

    const root = api.auditView.getChildren().find((n) => n.label === lab!.secure)!;
    assert.ok(root, 'the report is in the view');
    const groups = api.auditView.getChildren(root);
    const labels = groups.map((g) => String(g.label));
    assert.equal(labels.at(-1), 'Sign-in compatibility', labels.join(' | '));
    // The OWASP groups keep their order ahead of it, and "Other checks" no longer holds the predictions.
    assert.ok(labels[0]!.startsWith('MCP'), labels.join(' | '));
    const other = groups.find((g) => g.label === 'Other checks');
    if (other)
      assert.ok(
        !api.auditView.getChildren(other).some((f) => /can sign in \(predicted/.test(String(f.label))),
        'no prediction under Other checks',
      );

    const compat = groups.at(-1)!;
    const rows = api.auditView.getChildren(compat);
    assert.deepEqual(
      rows.map((r) => String(r.label)),
      CLIENT_PROFILES.map((p) => p.name),
    );
    for (const row of rows) {
      const profile = CLIENT_PROFILES.find((p) => p.name === row.label)!;
      const finding = report.findings.find((f) => f.id === `compat.${profile.id}`)!;
      const verdict = {
        pass: 'will sign in',
        warn: 'may sign in',
        fail: "won't sign in",
        skip: 'cannot tell',
      }[finding.status];
      assert.ok(
        String(row.description).startsWith(`${verdict} · `),
        `${profile.id}: ${String(row.description)}`,
      );
      assert.ok(
        String(row.tooltip).includes(finding.detail.slice(0, 60)),
        `${profile.id}: tooltip has the reason`,
      );
      const details = api.auditView.getChildren(row);
      const byLabel = (l: string) => details.filter((d) => d.label === l);
      assert.equal(byLabel('Registration path').length, 1, profile.id);
      assert.equal(byLabel('Resource').length, 1, profile.id);
      for (const uri of profile.redirectUris)
        assert.ok(String(byLabel('Redirect URIs')[0]!.description).includes(uri), `${profile.id}: ${uri}`);
      const sources = byLabel('Source');
      assert.deepEqual(
        sources.map((s) => s.command?.arguments?.[0]),
        profile.sources.map((s) => s.url),
      );
      assert.ok(sources.every((s) => s.command?.command === 'sherpa.audit.openSource'));
    }
    // The secure server publishes its PRM: every client gets a prediction, none is "cannot tell".
    assert.ok(rows.every((r) => !String(r.description).startsWith('cannot tell')));
    assert.equal(String(compat.description).includes('predicted'), true);
  });

  test('a source opens only if the client profiles cite it and it is a safe https URL', async () => {
    for (const url of ['javascript:alert(1)', 'https://evil.example/', 'file:///etc/passwd', 42])
      assert.equal(await vscode.commands.executeCommand('sherpa.audit.openSource', url), false, String(url));
  });
});
