/** A heading in the Token view ("Checks", "Header", "Claims") holding its rows. */
import * as vscode from 'vscode';

export class SectionNode extends vscode.TreeItem {
  constructor(
    label: string,
    readonly children: vscode.TreeItem[],
    icon: string,
    description?: string,
    /** Makes the id unique when the same heading appears once per server. */
    idPrefix = '',
  ) {
    super(label, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `${idPrefix}section:${label}`;
    this.iconPath = new vscode.ThemeIcon(icon);
    if (description) this.description = description;
    this.contextValue = 'sherpa.section';
  }
}
