/** A plain informational row (e.g. "opaque token: nothing to decode"). */
import * as vscode from 'vscode';

export class MessageNode extends vscode.TreeItem {
  constructor(label: string, description?: string, icon = 'info') {
    super(label, vscode.TreeItemCollapsibleState.None);
    if (description) this.description = description;
    this.iconPath = new vscode.ThemeIcon(icon);
    this.contextValue = 'sherpa.message';
  }
}
