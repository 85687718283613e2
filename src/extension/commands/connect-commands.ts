/** Connect Secure Server / Connect Vulnerable Server / Validate Security. */
import * as vscode from 'vscode';
import type { ConnectionManager, ServerConnection } from '../connect/connection-manager';
import { describeFailure } from '../errors';
import type { SherpaLog } from '../output-log';
import { showFailure } from '../show-failure';
import { countOf } from '../../core/plural';

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
      `Connected to the secure server with an OAuth access token: ${countOf(connection.tools.length, 'tool')}. See the Token view for what is inside the token.`,
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
      `Connected to the vulnerable server with its STATIC token (${countOf(connection.tools.length, 'tool')}). That token is shared by every client, never expires, names no user and sits in plain text in every client's and the server's configuration — whoever reads it can call these tools forever. Compare with Connect Secure Server.`,
    );
    return { connection };
  } catch (err) {
    showFailure(log, 'Connect Vulnerable Server failed', err);
    return { connection: connections.get('vulnerable'), error: describeFailure(err) };
  }
}
