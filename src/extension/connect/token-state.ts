/**
 * The token Sherpa is currently showing (from Connect Secure Server or the device code sign-in), with
 * the expectations to check it against. The Token view, the status bar and "Copy token" read it.
 */
import * as vscode from 'vscode';
import type { TokenExpectations } from '../../core/token/token-inspection';

export interface CurrentToken {
  accessToken: string;
  /** Where it came from, for people: "secure server sign-in", "device code (Azure CLI client)". */
  source: string;
  serverUrl?: string;
  expectations: TokenExpectations;
  /** Auth provider session id, for sign-out. */
  sessionId?: string;
  providerId?: string;
}

export class TokenState implements vscode.Disposable {
  private value: CurrentToken | undefined;
  private readonly changed = new vscode.EventEmitter<CurrentToken | undefined>();
  readonly onDidChange = this.changed.event;

  get current(): CurrentToken | undefined {
    return this.value;
  }

  set(token: CurrentToken | undefined): void {
    this.value = token;
    void vscode.commands.executeCommand('setContext', 'sherpa.hasToken', token !== undefined);
    this.changed.fire(token);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
