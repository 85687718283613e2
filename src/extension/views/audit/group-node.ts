/** Findings of one report under one OWASP MCP Top 10 item (a finding tagged with two appears in both). */
import * as vscode from 'vscode';
import type { Finding } from '../../../core/audit/findings';
import { FindingNode } from './finding-node';

export const OWASP_TITLES: Record<string, string> = {
  MCP01: 'MCP01 Token mismanagement & secret exposure',
  MCP02: 'MCP02 Privilege escalation via scope creep',
  MCP07: 'MCP07 Insufficient authentication & authorization',
  other: 'Other checks',
};

export class AuditGroupNode extends vscode.TreeItem {
  constructor(
    readonly key: string,
    readonly findings: Finding[],
    private readonly reportId: string,
  ) {
    const failed = findings.filter((f) => f.status === 'fail').length;
    super(
      key === 'other' ? vscode.l10n.t('Other checks') : (OWASP_TITLES[key] ?? key),
      failed ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    this.id = `${reportId}:group:${key}`;
    this.description = failed
      ? vscode.l10n.t('{0} failed', failed)
      : vscode.l10n.t('{0} passed', findings.filter((f) => f.status === 'pass').length);
    this.iconPath = new vscode.ThemeIcon(failed ? 'shield' : 'verified');
  }

  children(): FindingNode[] {
    return this.findings.map((f) => new FindingNode(f, `${this.reportId}:${this.key}`));
  }
}
