/** One decoded claim (or header parameter) as a readable row: "Expires (exp)  2026-… (expires in 42 min)". */
import * as vscode from 'vscode';
import type { ClaimRow } from './token-model';

export class ClaimNode extends vscode.TreeItem {
  constructor(
    readonly line: ClaimRow,
    readonly group: 'header' | 'claim',
    /** Keeps ids unique when several servers' tokens are shown. */
    idPrefix = '',
  ) {
    super(line.label, vscode.TreeItemCollapsibleState.None);
    this.id = `${idPrefix}${group}:${line.name}`;
    this.description = line.value;
    // The sidebar cuts long values off: the tooltip shows all of it (lists one item a line), and the
    // row's Copy Value puts the value as the token carries it on the clipboard.
    this.tooltip = line.tooltip;
    this.contextValue = `sherpa.${group}`;
  }
}
