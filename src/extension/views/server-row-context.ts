/**
 * A Servers view row's `contextValue`: what package.json's `view/item/context` menus key on. It says how
 * the server is connected, whether the person added it (and so may remove it) and whether its last
 * connect failed (Remove Server and Show Log are then the obvious next steps) — never the server's name.
 * No `vscode` import: test/unit/extension/views checks it against the manifest's `when` clauses.
 */
import type { ServerConnection } from '../connect/connection-registry';

export function serverRowContext(c: Pick<ServerConnection, 'auth' | 'added' | 'status'>): string {
  return `sherpa.server.${c.auth}${c.added ? '.added' : ''}${c.status === 'failed' ? '.failed' : ''}`;
}
