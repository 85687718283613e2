/** A server's heading in the Token view when tokens of several servers are shown side by side. */
import * as vscode from 'vscode';
import { toTerminalLine } from '../../core/untrusted-text';
import type { ServerId } from '../connect/server-target';

export class ServerTokenNode extends vscode.TreeItem {
  constructor(
    readonly serverId: ServerId,
    label: string,
    readonly children: vscode.TreeItem[],
    o: { url?: string; selected: boolean; failed: number },
  ) {
    // The label may be the server's URL: printable only.
    super(
      toTerminalLine(label, 200),
      o.selected ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    this.id = `token-server:${serverId}`;
    this.description = [
      o.failed ? vscode.l10n.t('{0} check(s) failed', o.failed) : vscode.l10n.t('checks passed'),
      o.url,
    ]
      .filter(Boolean)
      .join(' · ');
    this.iconPath = new vscode.ThemeIcon(o.failed ? 'error' : 'server');
    this.contextValue = 'sherpa.tokenServer';
  }
}
