/** A tool of a connected server in the Servers view; clicking it runs it. */
import * as vscode from 'vscode';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServerKind } from '../connect/connection-manager';

export class ToolNode extends vscode.TreeItem {
  constructor(
    readonly kind: ServerKind,
    readonly tool: Tool,
  ) {
    super(tool.name, vscode.TreeItemCollapsibleState.None);
    this.id = `tool:${kind}:${tool.name}`;
    this.description = tool.description?.split('\n')[0];
    this.tooltip = tool.description;
    this.iconPath = new vscode.ThemeIcon('tools');
    this.contextValue = 'sherpa.tool';
    this.command = { command: 'sherpa.runTool', title: 'Run Tool', arguments: [this] };
  }
}
