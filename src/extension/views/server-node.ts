/** A server row in the Servers view: label, URL, connection state. */
import * as vscode from 'vscode';
import { toTerminalLine } from '../../core/untrusted-text';
import type { ServerConnection } from '../connect/connection-registry';
import { serverRowContext } from './server-row-context';

const ICONS: Record<ServerConnection['status'], vscode.ThemeIcon> = {
  disconnected: new vscode.ThemeIcon('circle-outline'),
  connecting: new vscode.ThemeIcon('sync~spin'),
  connected: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

export class ServerNode extends vscode.TreeItem {
  constructor(readonly connection: ServerConnection) {
    // An added server's label is its host and path: printable only.
    super(
      toTerminalLine(connection.label, 200),
      connection.tools.length
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None,
    );
    // VS Code keeps a row's expansion state by id and ignores a later collapsibleState: a row that
    // gains tools gets a new id, so it opens and shows them (a person's later collapse is then kept).
    this.id = `server:${connection.id}:${connection.tools.length ? 'tools' : 'empty'}`;
    this.description = `${connection.status} · ${connection.url}`;
    this.iconPath = ICONS[connection.status];
    // Menus key on how the server is connected, whether it can be removed and whether it failed.
    this.contextValue = serverRowContext(connection);
    // A plain-text tooltip: the error quotes the server, and Markdown would render its links and images.
    this.tooltip =
      `${this.label as string}\n${connection.url}\n${vscode.l10n.t('State: {0}', connection.status)}` +
      (connection.error
        ? `\n${vscode.l10n.t('Last error: {0}', toTerminalLine(connection.error, 1000))}`
        : '');
    if (connection.status !== 'connected') {
      this.command = { command: 'sherpa.connectServer', title: vscode.l10n.t('Connect'), arguments: [this] };
    }
  }
}
