/**
 * The audit inside a real extension host: "Sherpa: Audit an MCP Server…" with a URL, the Audit view's
 * evidence, SARIF/Markdown export, and the mcp.json diagnostics with their quick fix.
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AuditReport } from '../../../src/core/audit/findings';
import type { CombinedAuditReport } from '../../../src/core/audit/run-targets';
import { startHostileServer, type HostileServer } from '../../support/hostile/hostile-server';
import { getApi } from './helpers';

suite('Audit', function () {
  this.timeout(60_000);
  let server: HostileServer | undefined;
  let dir: string | undefined;

  suiteTeardown(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('audits any MCP URL into the Audit view, with evidence on expand, and exports SARIF and Markdown', async () => {
    // A server with no PRM and a bare challenge: the audit must name what is missing.
    server = await startHostileServer({ resourceMetadata: 'https://10.0.0.1/prm' });
    const api = await getApi();
    const report = await vscode.commands.executeCommand<AuditReport>('sherpa.auditServer', server.url);
    assert.ok(report, 'a report');
    const prm = report.findings.find((f) => f.id === 'prm.found')!;
    assert.equal(prm.status, 'pass', prm.detail); // found at the well-known URI; the challenge's internal URL was refused
    assert.match(JSON.stringify(prm.evidence), /10\.0\.0\.1.*private address/);
    const root = api.auditView.getChildren().find((n) => n.label === server!.url);
    assert.ok(root, 'the report is in the view');
    const group = api.auditView.getChildren(root).find((g) => String(g.label).startsWith('MCP07'))!;
    const finding = api.auditView
      .getChildren(group)
      .find((f) => String(f.label).startsWith('Protected Resource Metadata is published'))!;
    const details = api.auditView.getChildren(finding).map((d) => String(d.label));
    assert.ok(
      details.some((l) => l.startsWith('GET https://10.0.0.1/prm')),
      details.join(' | '),
    );
    assert.ok(details.includes('Spec'));

    dir = await mkdtemp(join(tmpdir(), 'sherpa-audit-export-'));
    const sarifUri = await vscode.commands.executeCommand<vscode.Uri>('sherpa.audit.exportSarif', {
      uri: vscode.Uri.file(join(dir, 'a.sarif')),
    });
    const sarif = JSON.parse(await readFile(sarifUri.fsPath, 'utf8')) as {
      version: string;
      runs: { results: unknown[] }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const mdUri = await vscode.commands.executeCommand<vscode.Uri>('sherpa.audit.exportMarkdown', {
      uri: vscode.Uri.file(join(dir, 'a.md')),
    });
    assert.match(await readFile(mdUri.fsPath, 'utf8'), /^# Sherpa audit:/);
  });

  test('mcp.json: a literal bearer token is an error with a quick fix that moves it into a password input', async () => {
    const api = await getApi();
    const folder =
      vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? (await mkdtemp(join(tmpdir(), 'sherpa-ws-')));
    await mkdir(join(folder, '.vscode'), { recursive: true });
    const file = join(folder, '.vscode', 'mcp.json');
    await writeFile(
      file,
      '{\n  "servers": {\n    "prod": { "type": "http", "url": "http://mcp.example.com/mcp", "headers": { "Authorization": "Bearer s3cr3t-static-token" } }\n  }\n}\n',
    );
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const diagnostics = api.mcpJsonDiagnostics.update(doc);
      assert.deepEqual(
        diagnostics.map((d) => d.code),
        ['literal-secret', 'insecure-url'],
      );
      assert.deepEqual(
        vscode.languages
          .getDiagnostics(doc.uri)
          .map((d) => d.code)
          .sort(),
        ['insecure-url', 'literal-secret'],
      );
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        diagnostics[0]!.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const fix = actions.find((a) => /password input/.test(a.title));
      assert.ok(fix?.edit, actions.map((a) => a.title).join(' | '));
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      const text = doc.getText();
      assert.equal(text.includes('s3cr3t-static-token'), false);
      assert.match(text, /"Authorization": "Bearer \$\{input:prod-authorization\}"/);
      assert.match(text, /"password": true/);
      assert.deepEqual(
        api.mcpJsonDiagnostics.update(doc).map((d) => d.code),
        ['insecure-url'],
      );
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      await rm(file, { force: true });
    }
  });

  test('Audit All Servers in mcp.json: each server its own report in the Audit view; dead and stdio ones say why', async () => {
    const api = await getApi();
    const [one, two] = await Promise.all([
      startHostileServer({ resourceMetadata: 'https://10.0.0.1/prm' }),
      startHostileServer({}),
    ]);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the suite runs with a workspace folder');
    await mkdir(join(folder, '.vscode'), { recursive: true });
    const file = join(folder, '.vscode', 'mcp.json');
    await writeFile(
      file,
      JSON.stringify({
        servers: {
          first: { type: 'http', url: one.url },
          second: { type: 'http', url: two.url },
          dead: { type: 'http', url: 'http://127.0.0.1:9/mcp' },
          local: { type: 'stdio', command: 'node', args: ['server.js'] },
        },
      }),
    );
    try {
      const combined = await vscode.commands.executeCommand<CombinedAuditReport>('sherpa.auditMcpJson');
      assert.ok(combined, 'a combined report');
      assert.deepEqual(
        combined.results.map((r) => [
          r.target.name,
          r.report ? 'report' : r.error ? r.error.code : 'skipped',
        ]),
        [
          ['first', 'report'],
          ['second', 'report'],
          ['dead', 'SERVER_UNREACHABLE'],
          ['local', 'skipped'],
        ],
      );
      assert.ok(one.requests.length > 0 && two.requests.length > 0, 'both servers were probed');
      const roots = api.auditView.getChildren().map((n) => [String(n.label), String(n.description ?? '')]);
      const row = (label: string) => roots.find(([l]) => l === label);
      assert.match(row(one.url)?.[1] ?? '', /\d+ pass, \d+ fail/, JSON.stringify(roots));
      assert.match(row(two.url)?.[1] ?? '', /\d+ pass, \d+ fail/);
      assert.match(
        row('dead')?.[1] ?? '',
        /^could not be audited: Nothing is accepting connections at 127\.0\.0\.1:9\./,
      );
      assert.match(row('local')?.[1] ?? '', /^skipped: stdio server/);
      // A server's report is grouped as for a single audit (OWASP groups under the server).
      const first = api.auditView.getChildren().find((n) => n.label === one.url)!;
      assert.ok(api.auditView.getChildren(first).some((g) => String(g.label).startsWith('MCP07')));
    } finally {
      await rm(file, { force: true });
      await Promise.all([one.close(), two.close()]);
    }
  });
});
