/** One decoded claim (or header parameter) as a readable row: "Expires (exp)  2026-… (expires in 42 min)". */
import * as vscode from 'vscode';
import type { ClaimLine } from '../../core/token/token-inspection';

export class ClaimNode extends vscode.TreeItem {
  constructor(
    readonly line: ClaimLine,
    readonly group: 'header' | 'claim',
    /** Keeps ids unique when several servers' tokens are shown. */
    idPrefix = '',
  ) {
    super(line.label, vscode.TreeItemCollapsibleState.None);
    this.id = `${idPrefix}${group}:${line.name}`;
    this.description = line.value;
    this.tooltip = `${line.name}: ${line.value}`;
    this.contextValue = `sherpa.${group}`;
  }
}
