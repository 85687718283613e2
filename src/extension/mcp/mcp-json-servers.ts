/** The HTTP servers of the workspace's `.vscode/mcp.json` files, for the Connect and Audit pickers. */
import * as vscode from 'vscode';
import { listHttpServers, type McpJsonHttpServer } from '../../core/mcp-config/http-servers';

export async function serversFromMcpJson(): Promise<McpJsonHttpServer[]> {
  const out: McpJsonHttpServer[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    try {
      const bytes = await vscode.workspace.fs.readFile(
        vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json'),
      );
      out.push(...listHttpServers(Buffer.from(bytes).toString('utf8')));
    } catch {
      // no mcp.json in this folder
    }
  }
  return out;
}
