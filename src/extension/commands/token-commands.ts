/** Copy Access Token (behind a modal warning) and Sign Out. */
import * as vscode from 'vscode';
import { SHERPA_AUTH_PROVIDER_ID, type SherpaAuthProvider } from '../auth/sherpa-auth-provider';
import type { ConnectionManager } from '../connect/connection-manager';
import type { TokenState } from '../connect/token-state';
import type { SherpaLog } from '../output-log';
import { countOf } from '../../core/plural';

/** Copies the raw token only after a modal warning: a copied token is a bearer credential in a clipboard. */
export async function copyTokenCommand(tokens: TokenState, log: SherpaLog): Promise<boolean> {
  const t = tokens.current;
  if (!t) {
    void vscode.window.showWarningMessage('There is no token to copy. Connect the secure server first.');
    return false;
  }
  const copy = 'Copy Token';
  const answer = await vscode.window.showWarningMessage(
    'Copy the raw access token?',
    {
      modal: true,
      detail:
        'Whoever holds a bearer token can use it until it expires. Paste it only into tools you trust, never into chats, tickets or logs.',
    },
    copy,
  );
  if (answer !== copy) return false;
  await vscode.env.clipboard.writeText(t.accessToken);
  log.info("The access token was copied to the clipboard at the user's request");
  return true;
}

/** Signs out: deletes Sherpa's stored sessions, forgets the token, disconnects the secure server. */
export async function signOutCommand(
  auth: SherpaAuthProvider,
  tokens: TokenState,
  connections: ConnectionManager,
  log: SherpaLog,
): Promise<number> {
  const t = tokens.current;
  let removed: number;
  if (t?.providerId === SHERPA_AUTH_PROVIDER_ID && t.sessionId) {
    await auth.removeSession(t.sessionId);
    removed = 1;
  } else {
    removed = await auth.removeAllSessions();
  }
  tokens.set(undefined);
  await connections.disconnect('secure');
  log.info(`Signed out (${countOf(removed, 'Sherpa session')} removed)`);
  void vscode.window.showInformationMessage(
    t?.providerId === 'microsoft'
      ? 'Sherpa forgot the token. Microsoft accounts are signed out from the Accounts menu.'
      : "Signed out: the session was deleted from VS Code's secret storage.",
  );
  return removed;
}
