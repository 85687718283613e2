/** Connect Secure Server / Connect Vulnerable Server / Validate Security. */
import * as vscode from 'vscode';
import type { ConnectionManager, ServerConnection } from '../connect/connection-manager';
import { describeFailure } from '../errors';
import type { SherpaLog } from '../output-log';
import { showFailure } from '../show-failure';
import { countOf } from '../../core/plural';
import { deviceCodeFallbackReason } from '../../core/grants/sign-in-fallback';
import type { BrowserAddresses } from '../remote/browser-addresses';

/** What a connect command returns (for tests and other commands). */
export interface ConnectOutcome {
  connection: ServerConnection;
  error?: { code?: string; message: string; hint?: string };
}

export async function connectSecureCommand(
  connections: ConnectionManager,
  log: SherpaLog,
  browser?: BrowserAddresses,
): Promise<ConnectOutcome> {
  try {
    const connection = await connections.connectSecure();
    void vscode.window.showInformationMessage(
      `Connected to the secure server with an OAuth access token: ${countOf(connection.tools.length, 'tool')}. See the Token view for what is inside the token.`,
    );
    return { connection };
  } catch (err) {
    const reason = deviceCodeFallbackReason(err, browser?.isRemote ? browser.describe() : undefined);
    if (reason) offerDeviceCode(log, reason, err);
    else showFailure(log, 'Connect Secure Server failed', err);
    return { connection: connections.get('secure'), error: describeFailure(err) };
  }
}

/**
 * The browser route failed in a way the device code flow avoids (no redirect back to VS Code): say why,
 * and make it one click. Not awaited, so the command finishes.
 */
function offerDeviceCode(log: SherpaLog, reason: string, err: unknown): void {
  log.error('Connect Secure Server: the browser sign-in could not complete', err);
  const action = 'Sign In with Device Code';
  void vscode.window
    .showWarningMessage(
      `Connect Secure Server: ${reason}. The device code flow (RFC 8628) needs no way back: you enter a code on the sign-in page instead.`,
      action,
      'Show Log',
    )
    .then((choice) => {
      if (choice === action) void vscode.commands.executeCommand('sherpa.deviceCode');
      if (choice === 'Show Log') log.show();
    });
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
