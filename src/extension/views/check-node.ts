/** A validation check of the current token with a pass/fail icon (RFC 9068 §4 style checks). */
import * as vscode from 'vscode';
import type { TokenCheck } from '../../core/token/token-inspection';

export class CheckNode extends vscode.TreeItem {
  /** `idPrefix` keeps ids unique when several servers' tokens are shown. */
  constructor(
    readonly check: TokenCheck,
    idPrefix = '',
  ) {
    super(check.label, vscode.TreeItemCollapsibleState.None);
    this.id = `${idPrefix}check:${check.id}`;
    this.description = check.detail;
    this.tooltip = `${check.label}: ${check.status} — ${check.detail}`;
    this.iconPath =
      check.status === 'pass'
        ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
        : check.status === 'fail'
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
          : new vscode.ThemeIcon('question');
    this.contextValue = `sherpa.check.${check.status}`;
  }
}
