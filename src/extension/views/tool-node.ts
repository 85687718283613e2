/** A tool of a connected server in the Servers view; clicking it runs it. */
import * as vscode from 'vscode';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { toTerminalLine, toTerminalText } from '../../core/untrusted-text';
import type { ServerId } from '../connect/server-target';

export class ToolNode extends vscode.TreeItem {
  constructor(
    readonly server: ServerId,
    readonly tool: Tool,
  ) {
    // Name and description are the server's words: shown without controls or bidi overrides.
    super(toTerminalLine(tool.name, 100), vscode.TreeItemCollapsibleState.None);
    this.id = `tool:${server}:${tool.name}`;
    if (tool.description) {
      this.description = toTerminalLine(tool.description.split('\n')[0], 200);
      this.tooltip = toTerminalText(tool.description, 2000);
    }
    this.iconPath = new vscode.ThemeIcon('tools');
    this.contextValue = 'sherpa.tool';
    this.command = { command: 'sherpa.runTool', title: 'Run Tool', arguments: [this] };
  }
}
