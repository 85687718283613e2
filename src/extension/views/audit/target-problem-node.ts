/** A server of an mcp.json that has no report: it could not be audited (why), or was skipped (why). */
import * as vscode from 'vscode';
import { toQuickPickText } from '../../../core/untrusted-text';

export interface AuditTargetProblem {
  /** The row's key: the server's URL, or its mcp.json and name when it has none (stdio). */
  key: string;
  name: string;
  /** "could not be audited: …", "skipped: stdio server …". */
  message: string;
  kind: 'error' | 'skipped';
  source: string;
}

export class AuditTargetProblemNode extends vscode.TreeItem {
  constructor(readonly problem: AuditTargetProblem) {
    super(toQuickPickText(problem.name, 120), vscode.TreeItemCollapsibleState.None);
    this.id = `audit-problem:${problem.key}`;
    this.description = toQuickPickText(problem.message, 200);
    this.tooltip = `${problem.key}\n${problem.source}\n${problem.message}`;
    this.iconPath = new vscode.ThemeIcon(
      problem.kind === 'error' ? 'warning' : 'circle-slash',
      problem.kind === 'error' ? new vscode.ThemeColor('testing.iconErrored') : undefined,
    );
    this.contextValue = 'sherpa.auditProblem';
  }
}
