/**
 * One audited server: its URL, when, and the tally; OWASP groups inside, then the sign-in compatibility
 * group LAST (the e2e tests scroll to findings by the OWASP groups' positions).
 */
import * as vscode from 'vscode';
import type { AuditReport } from '../../../core/audit/findings';
import { summarize } from '../../../core/audit/report-format';
import { groupReport } from './report-model';
import { CompatGroupNode } from './compat-node';
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

  children(): (AuditGroupNode | CompatGroupNode)[] {
    const { owasp, compat } = groupReport(this.report);
    return [
      ...owasp.map((g) => new AuditGroupNode(g.key, g.findings, this.id!)),
      ...(compat ? [new CompatGroupNode(compat, this.id!)] : []),
    ];
  }
}
