/** Connect Secure Server / Connect Vulnerable Server / Validate Security. */
import * as vscode from 'vscode';
import type { ConnectionManager, ServerConnection } from '../connect/connection-manager';
import { validateSecurity, type ValidationFinding } from '../connect/security-validation';
import type { ServerEndpoints } from '../endpoints';
import { describeFailure } from '../errors';
import type { SherpaLog } from '../output-log';
import { showFailure } from '../show-failure';

/** What a connect command returns (for tests and other commands). */
export interface ConnectOutcome {
  connection: ServerConnection;
  error?: { code?: string; message: string; hint?: string };
}

export async function connectSecureCommand(
  connections: ConnectionManager,
  log: SherpaLog,
): Promise<ConnectOutcome> {
  try {
    const connection = await connections.connectSecure();
    void vscode.window.showInformationMessage(
      `Connected to the secure server with an OAuth access token: ${connection.tools.length} tools. See the Token view for what is inside the token.`,
    );
    return { connection };
  } catch (err) {
    showFailure(log, 'Connect Secure Server failed', err);
    return { connection: connections.get('secure'), error: describeFailure(err) };
  }
}

export async function connectVulnerableCommand(
  connections: ConnectionManager,
  log: SherpaLog,
): Promise<ConnectOutcome> {
  try {
    const connection = await connections.connectVulnerable();
    void vscode.window.showWarningMessage(
      `Connected to the vulnerable server with its STATIC token (${connection.tools.length} tools). That token is shared by every client, never expires, names no user and sits in plain text in every client's and the server's configuration — whoever reads it can call these tools forever. Compare with Connect Secure Server.`,
    );
    return { connection };
  } catch (err) {
    showFailure(log, 'Connect Vulnerable Server failed', err);
    return { connection: connections.get('vulnerable'), error: describeFailure(err) };
  }
}

/** Runs the waypoint-6 probes and shows a report; returns the findings. */
export async function validateSecurityCommand(
  endpoints: ServerEndpoints,
  staticToken: string,
  log: SherpaLog,
): Promise<ValidationFinding[] | undefined> {
  try {
    const findings = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Sherpa: probing both servers…' },
      () => validateSecurity(endpoints, staticToken),
    );
    for (const f of findings)
      log.info(`[validate] ${f.status === 'pass' ? '✓' : '✗'} ${f.label}: ${f.detail}`);
    const lines = findings.map(
      (f) => `- ${f.status === 'pass' ? 'PASS' : 'FAIL'} — **${f.label}** — ${f.detail}`,
    );
    const doc = await vscode.workspace.openTextDocument({
      language: 'markdown',
      content: `# Sherpa security validation\n\nSecure: ${endpoints.secureUrl}\nVulnerable: ${endpoints.vulnerableUrl}\n\n${lines.join('\n')}\n`,
    });
    await vscode.window.showTextDocument(doc, { preview: true });
    return findings;
  } catch (err) {
    showFailure(log, 'Validate Security failed', err);
    return undefined;
  }
}
