/** Copy Access Token (behind a modal warning) and Sign Out, each for one server's token. */
import * as vscode from 'vscode';
import { SHERPA_AUTH_PROVIDER_ID, type SherpaAuthProvider } from '../auth/sherpa-auth-provider';
import type { ConnectionManager } from '../connect/connection-manager';
import type { CurrentToken, TokenState } from '../connect/token-state';
import type { SherpaLog } from '../output-log';
import { countOf } from '../../core/plural';
import { pickServer } from './pick-server';
import { serverIdOf, type ServerArg } from './server-arg';

/** The token `arg` names, the only one, or the person's pick when several servers hold one. */
async function tokenFor(
  tokens: TokenState,
  connections: ConnectionManager,
  arg: ServerArg,
  title: string,
): Promise<CurrentToken | undefined> {
  const named = serverIdOf(arg);
  if (named) return tokens.get(named);
  const id = await pickServer(
    tokens.all().map((t) => ({
      id: t.serverId,
      label: connections.find(t.serverId)?.label ?? t.serverUrl ?? t.serverId,
      description: t.source,
    })),
    title,
  );
  return id ? tokens.get(id) : undefined;
}

/** Copies the raw token only after a modal warning: a copied token is a bearer credential in a clipboard. */
export async function copyTokenCommand(
  tokens: TokenState,
  connections: ConnectionManager,
  log: SherpaLog,
  arg?: ServerArg,
): Promise<boolean> {
  if (!tokens.all().length) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('There is no token to copy. Connect the secure server first.'),
    );
    return false;
  }
  const t = await tokenFor(tokens, connections, arg, vscode.l10n.t('Copy the token of which server?'));
  if (!t) return false;
  const copy = vscode.l10n.t('Copy Token');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Copy the raw access token?'),
    {
      modal: true,
      detail: vscode.l10n.t(
        'Whoever holds a bearer token can use it until it expires. Paste it only into tools you trust, never into chats, tickets or logs.',
      ),
    },
    copy,
  );
  if (answer !== copy) return false;
  await vscode.env.clipboard.writeText(t.accessToken);
  log.info("The access token was copied to the clipboard at the user's request");
  return true;
}

/**
 * Signs out of one server: its token's Sherpa session deleted (or, for a token from elsewhere — device
 * code, the microsoft provider — every Sherpa session obtained for that server), the token forgotten,
 * the server disconnected; other servers' sessions stay. With no token at all: every stored Sherpa
 * session is deleted.
 */
export async function signOutCommand(
  auth: SherpaAuthProvider,
  tokens: TokenState,
  connections: ConnectionManager,
  log: SherpaLog,
  arg?: ServerArg,
): Promise<number> {
  const t = tokens.all().length
    ? await tokenFor(tokens, connections, arg, vscode.l10n.t('Sign out of which server?'))
    : undefined;
  if (tokens.all().length && !t) return 0; // cancelled the pick
  let removed: number;
  if (t?.providerId === SHERPA_AUTH_PROVIDER_ID && t.sessionId) {
    await auth.removeSession(t.sessionId);
    removed = 1;
  } else if (t?.serverUrl) {
    removed = await auth.removeSessionsFor(t.serverUrl);
  } else {
    removed = await auth.removeAllSessions();
  }
  if (t) {
    tokens.set(t.serverId, undefined);
    if (connections.find(t.serverId)) await connections.disconnect(t.serverId);
  }
  log.info(`Signed out (${countOf(removed, 'Sherpa session')} removed)`);
  void vscode.window.showInformationMessage(
    t?.providerId === 'microsoft'
      ? vscode.l10n.t('Sherpa forgot the token. Microsoft accounts are signed out from the Accounts menu.')
      : vscode.l10n.t("Signed out: the session was deleted from VS Code's secret storage."),
  );
  return removed;
}

/**
 * Copy Value on a claim or header row of the Token view: the value as the token carries it (a claim is
 * not a credential, unlike the token itself). Returns what was copied.
 */
export async function copyClaimValueCommand(node?: {
  line?: { raw?: unknown };
}): Promise<string | undefined> {
  const raw = node?.line?.raw;
  if (typeof raw !== 'string') return undefined;
  await vscode.env.clipboard.writeText(raw);
  return raw;
}
