/** "Sherpa: Sign In with Device Code": for the server given, the only OAuth server, or the one picked. */
import type { ConnectionManager } from '../connect/connection-manager';
import type { DeviceCodeFlow } from '../connect/device-code-flow';
import { SECURE_SERVER_ID } from '../connect/server-target';
import type { SherpaLog } from '../output-log';
import { showFailure } from '../show-failure';
import { pickServer, serverIdOf, type ServerArg } from './pick-server';

/** True when a token arrived; false when it failed (shown) or the person cancelled the pick. */
export async function deviceCodeCommand(
  flow: DeviceCodeFlow,
  connections: ConnectionManager,
  log: SherpaLog,
  arg?: ServerArg,
): Promise<boolean> {
  // Only OAuth servers have the metadata that names a device authorization endpoint.
  const candidates = connections.list().filter((c) => c.auth === 'oauth');
  const id =
    serverIdOf(arg) ??
    (await pickServer(
      // The configured secure server first: the workshop's Option A.
      [...candidates]
        .sort((a, b) => Number(b.id === SECURE_SERVER_ID) - Number(a.id === SECURE_SERVER_ID))
        .map((c) => ({ id: c.id, label: c.label, description: c.url })),
      'Sign in with a device code for which server?',
    ));
  if (!id) return false;
  try {
    const server = connections.get(id);
    await flow.run({ id: server.id, url: server.url });
    return true;
  } catch (err) {
    showFailure(log, 'Device code sign-in failed', err);
    return false;
  }
}
