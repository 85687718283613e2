/**
 * The server a command argument names: VS Code passes the tree item a menu was opened on (a ServerNode,
 * a ToolNode, a ServerTokenNode), other commands and tests pass a server id. No `vscode` import.
 */
import type { ServerId } from '../connect/server-target';

/** What a command may receive: a ServerNode, a ToolNode, a ServerTokenNode, a server id. */
export type ServerArg =
  string | { connection?: { id: string } } | { serverId?: string } | { server?: string } | undefined;

/** The server id carried by a command argument, if any (a blank string is none). */
export function serverIdOf(arg: unknown): ServerId | undefined {
  if (typeof arg === 'string') return arg.trim() || undefined;
  if (!arg || typeof arg !== 'object') return undefined;
  const o = arg as { connection?: { id?: unknown }; serverId?: unknown; server?: unknown };
  for (const v of [o.connection?.id, o.serverId, o.server]) if (typeof v === 'string') return v;
  return undefined;
}
