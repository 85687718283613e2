/** One audit finding: pass/fail/warn/skip icon, title, what was seen; evidence, remedy and spec inside. */
import * as vscode from 'vscode';
import type { Evidence, Finding } from '../../../core/audit/findings';
import { toTerminalLine } from '../../../core/untrusted-text';

const ICONS: Record<Finding['status'], vscode.ThemeIcon> = {
  pass: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  fail: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  warn: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  skip: new vscode.ThemeIcon('circle-slash'),
};

/** A leaf line under a finding (evidence, remedy, spec); plain text, since it quotes the server. */
export class FindingDetailNode extends vscode.TreeItem {
  constructor(label: string, description: string, icon: string, tooltip?: string) {
    super(toTerminalLine(label, 120), vscode.TreeItemCollapsibleState.None);
    this.description = toTerminalLine(description, 300);
    this.tooltip = toTerminalLine(tooltip ?? description, 2000);
    this.iconPath = new vscode.ThemeIcon(icon);
  }
}

function describeEvidence(e: Evidence): string {
  const headers = e.headers
    ? Object.entries(e.headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')
    : '';
  return [e.status !== undefined ? `→ ${e.status}` : '', headers, e.note ?? ''].filter(Boolean).join(' · ');
}

export class FindingNode extends vscode.TreeItem {
  constructor(
    readonly finding: Finding,
    reportId: string,
  ) {
    super(finding.title, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${reportId}:${finding.id}`;
    this.description = `${finding.level.toUpperCase()} · ${toTerminalLine(finding.detail, 200)}`;
    this.tooltip = `${finding.id} (${finding.status}, ${finding.level})\n${toTerminalLine(finding.detail, 1000)}\n${finding.spec}`;
    this.iconPath = ICONS[finding.status];
    this.contextValue = `sherpa.finding.${finding.status}`;
  }

  children(): FindingDetailNode[] {
    const f = this.finding;
    return [
      ...(f.remedy ? [new FindingDetailNode(vscode.l10n.t('Remedy'), f.remedy, 'lightbulb')] : []),
      ...f.evidence.map(
        (e) =>
          new FindingDetailNode(
            e.request,
            describeEvidence(e),
            'arrow-swap',
            `${e.request}\n${describeEvidence(e)}`,
          ),
      ),
      new FindingDetailNode(vscode.l10n.t('Spec'), f.spec, 'book'),
    ];
  }
}
