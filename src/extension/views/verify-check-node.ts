/** One Verify Deployment check: pass/fail/skip icon, the evidence as description, the remedy in the tooltip. */
import * as vscode from 'vscode';
import type { VerifyCheck } from '../../core/azure/verify-checks';

export class VerifyCheckNode extends vscode.TreeItem {
  constructor(readonly check: VerifyCheck) {
    super(check.title, vscode.TreeItemCollapsibleState.None);
    this.id = `verify:${check.id}`;
    this.description = check.evidence;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${check.status.toUpperCase()}** \`${check.id}\`\n\n`);
    md.appendText(check.evidence);
    if (check.status !== 'pass' && check.remedy)
      md.appendMarkdown('\n\n**Remedy:** ').appendText(check.remedy);
    this.tooltip = md;
    this.iconPath =
      check.status === 'pass'
        ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
        : check.status === 'fail'
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
          : new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconSkipped'));
    this.contextValue = `sherpa.verify.${check.status}`;
  }
}
