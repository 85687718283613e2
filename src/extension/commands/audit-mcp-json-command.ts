/**
 * "Sherpa: Audit All Servers in mcp.json": every server the workspace's `.vscode/mcp.json` files name,
 * audited by core (run-targets.ts: two at a time, one failure stops nothing), each shown in the Audit
 * view as its own report — or as a row saying why it could not be audited or was skipped (stdio).
 *
 * Refused in an untrusted workspace: the file is the repository's, not the person's, and auditing sends
 * requests — with the token the person holds for a URL — to whatever hosts it names.
 */
import * as vscode from 'vscode';
import { auditTargets, type CombinedAuditReport } from '../../core/audit/run-targets';
import { summarizeCombined } from '../../core/audit/report-combined';
import { targetsFromMcpJson, type AuditTarget } from '../../core/audit/targets';
import { toNotificationText } from '../../core/untrusted-text';
import { ExtensionError } from '../errors';
import { proxyResolvesNames } from '../settings';
import { showFailure } from '../show-failure';
import { tokensFor, type AuditDeps } from './audit-commands';

/** Audits at once: the editor shares the machine with everything else the person runs. */
const CONCURRENCY = 2;

async function workspaceTargets(): Promise<AuditTarget[]> {
  const out: AuditTarget[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
    let text: string;
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    } catch {
      continue; // no mcp.json in this folder
    }
    out.push(...targetsFromMcpJson(text, vscode.workspace.asRelativePath(uri, true)));
  }
  return out;
}

export async function auditMcpJsonCommand(deps: AuditDeps): Promise<CombinedAuditReport | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(
      'Sherpa: auditing sends requests (and your tokens for them) to the servers this workspace’s mcp.json names; trust the workspace first.',
    );
    return undefined;
  }
  const targets = await workspaceTargets();
  if (!targets.length) {
    void vscode.window.showInformationMessage(
      'Sherpa: no server in a .vscode/mcp.json of this workspace. Add one, or use "Audit an MCP Server…".',
    );
    return undefined;
  }
  try {
    const combined = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Sherpa: auditing ${targets.length} servers from mcp.json`,
        cancellable: true,
      },
      async (progress, cancel) => {
        const abort = new AbortController();
        cancel.onCancellationRequested(() =>
          abort.abort(new ExtensionError('AUDIT_CANCELLED', 'The audit was cancelled')),
        );
        let done = 0;
        return auditTargets(targets, {
          concurrency: CONCURRENCY,
          signal: abort.signal,
          optionsFor: async (t) => ({
            tokens: await tokensFor(deps, t.url!),
            resolveNames: !proxyResolvesNames(),
          }),
          onResult: (r) =>
            progress.report({
              message: `${++done}/${targets.length} ${r.target.name}`,
              increment: 100 / targets.length,
            }),
        });
      },
    );
    for (const r of combined.results) {
      const key = r.target.url ?? `${r.target.source}#${r.target.name}`;
      if (r.report) deps.view.show(r.report);
      if (r.error) deps.log.warn(`[audit] ${r.target.name}: ${r.error.message}`);
      if (r.error && !r.report)
        deps.view.showProblem({
          key,
          name: r.target.name,
          source: r.target.source,
          kind: 'error',
          message: `could not be audited: ${r.error.message}`,
        });
      else if (r.target.skipped)
        deps.view.showProblem({
          key,
          name: r.target.name,
          source: r.target.source,
          kind: 'skipped',
          message: `skipped: ${r.target.skipped}`,
        });
    }
    void vscode.commands.executeCommand('sherpa.audit.focus');
    void vscode.window.showInformationMessage(`Sherpa: ${toNotificationText(summarizeCombined(combined))}.`);
    return combined;
  } catch (err) {
    showFailure(deps.log, 'Audit All Servers in mcp.json failed', err);
    return undefined;
  }
}
