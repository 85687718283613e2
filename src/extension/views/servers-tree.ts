/** The Servers view: every MCP server Sherpa knows, its connection state and, once connected, its tools. */
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connect/connection-manager';
import { ServerNode } from './server-node';
import { showsServersWelcome } from './servers-welcome';
import type { LabState } from '../lab/lab-controller';
import { ToolNode } from './tool-node';

export type ServersTreeNode = ServerNode | ToolNode;

export class ServersTreeProvider implements vscode.TreeDataProvider<ServersTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  /**
   * `context`: the lab's state and whether the settings name a server URL, asked at each render (the
   * extension refreshes the view when either changes).
   */
  constructor(
    private readonly connections: ConnectionManager,
    private readonly context: () => { lab: LabState; serverUrlConfigured: boolean },
  ) {
    this.subscription = connections.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: ServersTreeNode): vscode.TreeItem {
    return node;
  }

  getChildren(node?: ServersTreeNode): ServersTreeNode[] {
    if (!node) {
      const servers = this.connections.list();
      // No rows: VS Code then shows the view's welcome content (package.json viewsWelcome).
      if (showsServersWelcome({ ...this.context(), servers })) return [];
      return servers.map((c) => new ServerNode(c));
    }
    if (node instanceof ServerNode)
      return node.connection.tools.map((t) => new ToolNode(node.connection.id, t));
    return [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
