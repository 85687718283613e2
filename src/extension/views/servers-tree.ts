/** The Servers view: every MCP server Sherpa knows, its connection state and, once connected, its tools. */
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connect/connection-manager';
import { ServerNode } from './server-node';
import { ToolNode } from './tool-node';

export type ServersTreeNode = ServerNode | ToolNode;

export class ServersTreeProvider implements vscode.TreeDataProvider<ServersTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connections: ConnectionManager) {
    this.subscription = connections.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: ServersTreeNode): vscode.TreeItem {
    return node;
  }

  getChildren(node?: ServersTreeNode): ServersTreeNode[] {
    if (!node) return this.connections.list().map((c) => new ServerNode(c));
    if (node instanceof ServerNode)
      return node.connection.tools.map((t) => new ToolNode(node.connection.id, t));
    return [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
