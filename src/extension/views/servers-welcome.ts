/**
 * Whether the Servers view shows its rows or its welcome content (Start Local Lab, the walkthrough).
 * VS Code shows a view's welcome content only while its tree is empty, so "welcome" means "no rows".
 * No `vscode` import: test/unit/extension/views exercises it.
 */
import type { LabState } from '../lab/lab-controller';
import type { ConnectionStatus } from '../connect/connection-registry';

export interface ServersViewState {
  lab: LabState;
  /** A server URL set in the settings (an Azure deployment, say): its rows mean something without the lab. */
  serverUrlConfigured: boolean;
  servers: readonly { status: ConnectionStatus; added: boolean }[];
}

/**
 * True while the rows would only be two "disconnected" lab servers that nothing answers at: the lab
 * is stopped, no server URL is configured, and no server is added, connecting, connected or failed.
 * A failed row stays visible (its tooltip says why), and so does any server the person added.
 */
export function showsServersWelcome(s: ServersViewState): boolean {
  if (s.lab !== 'stopped' || s.serverUrlConfigured) return false;
  return s.servers.every((c) => !c.added && c.status === 'disconnected');
}
