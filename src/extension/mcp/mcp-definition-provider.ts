/**
 * Offers both lab MCP servers to VS Code's own MCP client (chat, agent mode) through
 * `vscode.lm.registerMcpServerDefinitionProvider`:
 *  - the vulnerable server WITH its static `Authorization` header (the token from SecretStorage, else the
 *    lab's) — a shared, never-expiring header in a client definition is the MCP01 lesson, so the label
 *    says INSECURE;
 *  - the secure server with NO header: VS Code follows the 401's `resource_metadata` to the RFC 9728
 *    Protected Resource Metadata and signs in by itself (MCP authorization spec 2025-11-25).
 */
import * as vscode from 'vscode';

export interface McpDefinitionSource {
  secureUrl: string;
  vulnerableUrl: string;
  staticToken: string;
}

export const MCP_PROVIDER_ID = 'sherpa.servers';
export const SECURE_LABEL = 'Sherpa secure server (OAuth 2.1)';
export const VULNERABLE_LABEL = 'Sherpa vulnerable server (INSECURE static token)';

export class SherpaMcpProvider
  implements vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition>, vscode.Disposable
{
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.changed.event;
  private last: string | undefined;

  constructor(private readonly readSource: () => McpDefinitionSource) {}

  /** Re-reads the source (settings, lab, stored token) and tells VS Code when the definitions really changed. */
  refresh(): void {
    const now = JSON.stringify(this.readSource());
    if (now !== this.last) {
      this.last = now;
      this.changed.fire();
    }
  }

  provideMcpServerDefinitions(): vscode.McpHttpServerDefinition[] {
    const source = this.readSource();
    this.last = JSON.stringify(source);
    const version = '1';
    return [
      new vscode.McpHttpServerDefinition(
        VULNERABLE_LABEL,
        vscode.Uri.parse(source.vulnerableUrl),
        // Deliberate: this is exactly the anti-pattern the workshop exploits (static, shared, never expires).
        { Authorization: `Bearer ${source.staticToken}` },
        version,
      ),
      new vscode.McpHttpServerDefinition(SECURE_LABEL, vscode.Uri.parse(source.secureUrl), {}, version),
    ];
  }

  resolveMcpServerDefinition(server: vscode.McpHttpServerDefinition): vscode.McpHttpServerDefinition {
    return server;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
