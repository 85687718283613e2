/**
 * What `activate()` returns when VS Code runs Sherpa for development or tests (never for an installed
 * extension, see test-hooks.ts): the services, so the extension tests (test/vscode/suite) can call the
 * MCP provider, read the views, and set the test hooks (a non-interactive "browser", a device-code
 * approver, the provider without the consent modal VS Code refuses to show in a test host).
 */
import type { SherpaAuthProvider } from './auth/sherpa-auth-provider';
import type { AzureSession } from './azure/azure-session';
import type { ConnectionManager } from './connect/connection-manager';
import type { TokenBroker } from './connect/token-broker';
import type { TokenState } from './connect/token-state';
import type { LabController } from './lab/lab-controller';
import type { BrowserAddresses } from './remote/browser-addresses';
import type { SherpaMcpProvider } from './mcp/mcp-definition-provider';
import type { SherpaStatusBar } from './status-bar';
import type { ServersTreeProvider } from './views/servers-tree';
import type { TokenTreeProvider } from './views/token-tree';
import type { VerifyTreeProvider } from './views/verify-tree';
import type { VulnerableTokenStore } from './vulnerable-token';
import type { McpJsonDiagnostics } from './mcp/mcp-json-diagnostics';
import type { AuditTreeProvider } from './views/audit/audit-tree';
import type { TestHooks } from './test-hooks';
import type * as vscode from 'vscode';

export interface SherpaApi {
  mcpProvider: SherpaMcpProvider;
  authProvider: SherpaAuthProvider;
  tokenBroker: TokenBroker;
  tokenState: TokenState;
  tokenView: TokenTreeProvider;
  serversView: ServersTreeProvider;
  connections: ConnectionManager;
  statusBar: SherpaStatusBar;
  lab: LabController;
  vulnerableToken: VulnerableTokenStore;
  auditView: AuditTreeProvider;
  mcpJsonDiagnostics: McpJsonDiagnostics;
  browser: BrowserAddresses;
  azure: AzureSession;
  verifyView: VerifyTreeProvider;
  /**
   * The file behind the Sherpa output channel (`context.logUri`/Sherpa.log, where VS Code writes a log
   * channel): the extension tests read it to prove what never reaches the log (secret values).
   */
  logFile: vscode.Uri;
  /**
   * Replaces the given strategies (see TestHooks) until the returned function is called. The services
   * were built by activate() with strategies that consult these hooks; there is no other way in.
   */
  setTestHooks(hooks: TestHooks): () => void;
}
