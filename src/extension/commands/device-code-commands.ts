/**
 * "Sherpa: Sign In with Device Code": connects the server given, the only OAuth server, or the one
 * picked, with the device code grant (RFC 8628) as the engine's grant strategy; the token lands in the
 * Token view like any other connect's.
 */
import * as vscode from 'vscode';
import { countOf } from '../../core/plural';
import type { ConnectionManager } from '../connect/connection-manager';
import type { SherpaLog } from '../output-log';
import { showFailure } from '../show-failure';
import { pickServer } from './pick-server';
import { serverIdOf, type ServerArg } from './server-arg';

/** True when a token arrived; false when it failed (shown) or the person cancelled the pick. */
export async function deviceCodeCommand(
  connections: ConnectionManager,
  log: SherpaLog,
  arg?: ServerArg,
): Promise<boolean> {
  // Only OAuth servers have the metadata that names a device authorization endpoint.
  const candidates = connections.list().filter((c) => c.auth === 'oauth');
  const id =
    serverIdOf(arg) ??
    (await pickServer(
      // In the registry's order, where the configured secure server comes first of the OAuth servers.
      candidates.map((c) => ({ id: c.id, label: c.label, description: c.url })),
      vscode.l10n.t('Sign in with a device code for which server?'),
    ));
  if (!id) return false;
  try {
    const connection = await connections.connect(id, { grant: 'device-code' });
    log.info('Device code sign-in finished; the token is in the Token view');
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Signed in with a device code: {0} on {1}. See the Token view for what is inside the token.',
        countOf(connection.tools.length, 'tool'),
        connection.added ? connection.url : `the ${connection.noun}`,
      ),
    );
    return true;
  } catch (err) {
    showFailure(log, vscode.l10n.t('Device code sign-in failed'), err);
    return false;
  }
}
