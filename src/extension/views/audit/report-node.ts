/** One audited server: its URL, when, and the tally; OWASP groups inside. */
import * as vscode from 'vscode';
import type { AuditReport } from '../../../core/audit/findings';
import { summarize } from '../../../core/audit/report-format';
import { AuditGroupNode } from './group-node';

export class AuditReportNode extends vscode.TreeItem {
  constructor(readonly report: AuditReport) {
    super(report.target, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `audit:${report.target}`;
    this.description = summarize(report);
    const mustFailed = report.findings.some((f) => f.status === 'fail' && f.level === 'must');
    this.iconPath = new vscode.ThemeIcon(
      mustFailed ? 'error' : 'pass',
      new vscode.ThemeColor(mustFailed ? 'testing.iconFailed' : 'testing.iconPassed'),
    );
    this.tooltip = `${report.target}\n${vscode.l10n.t('audited {0}', report.startedAt)}\n${summarize(report)}`;
    this.contextValue = 'sherpa.auditReport';
  }

  children(): AuditGroupNode[] {
    const groups = new Map<string, AuditReport['findings']>();
    for (const f of this.report.findings) {
      for (const key of f.owasp.length ? f.owasp : ['other'])
        groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    return ['MCP01', 'MCP02', 'MCP07', 'other']
      .filter((k) => groups.has(k))
      .map((k) => new AuditGroupNode(k, groups.get(k)!, this.id!));
  }
}
