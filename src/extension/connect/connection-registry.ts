/**
 * The connection state of every server Sherpa knows, keyed by server id: status, tools, the last error
 * and the live session. No `vscode` import — the connection manager drives it with progress UI, the
 * views and the status bar read it, and test/unit/extension exercises it with fake sessions.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ExtensionError } from '../errors';
import { Emitter, type Disposable } from '../event';
import { addedServer, type ServerId, type ServerTarget } from './server-target';

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'failed';

export interface ServerConnection extends ServerTarget {
  status: ConnectionStatus;
  tools: Tool[];
  /** Last failure, for the tree item's tooltip. */
  error?: string;
  serverName?: string;
}

export interface Closable {
  close(): Promise<void>;
}

export class ConnectionRegistry<S extends Closable> implements Disposable {
  private readonly states = new Map<ServerId, ServerConnection>();
  private readonly sessions = new Map<ServerId, S>();
  private readonly addedTargets = new Map<ServerId, ServerTarget>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  /** `configured`: the servers settings and the lab name, asked each time (their URLs move). */
  constructor(private readonly configured: () => ServerTarget[]) {}

  /** Every known server: the configured ones, then the added ones in the order they were added. */
  targets(): ServerTarget[] {
    return [...this.configured(), ...this.addedTargets.values()];
  }

  /**
   * Every server with its state. A state recorded for another URL than the server's current one (the
   * setting changed, the lab moved) is shown as disconnected: it was about a different server.
   */
  list(): ServerConnection[] {
    return this.targets().map((t) => {
      const s = this.states.get(t.id);
      return s && s.url === t.url ? { ...s, ...t } : { ...t, status: 'disconnected', tools: [] };
    });
  }

  find(id: ServerId): ServerConnection | undefined {
    return this.list().find((c) => c.id === id);
  }

  /** The server with `id`; UNKNOWN_SERVER when there is none (removed, or a stale tree item). */
  get(id: ServerId): ServerConnection {
    const c = this.find(id);
    if (!c) {
      throw new ExtensionError('UNKNOWN_SERVER', `Sherpa knows no server "${id.slice(0, 200)}"`, {
        hint: 'Refresh the Servers view, or add the server with "Sherpa: Connect to MCP Server…".',
      });
    }
    return c;
  }

  /** The known server at exactly `url` (normalised by the caller), if any. */
  byUrl(url: string): ServerConnection | undefined {
    return this.list().find((c) => c.url === url);
  }

  /** Adds a server by URL; a URL Sherpa already knows (configured or added) returns that server instead. */
  add(url: URL, label?: string): ServerTarget {
    const known = this.targets().find((t) => t.url === url.href);
    if (known) return known;
    const target = addedServer(url, label);
    this.addedTargets.set(target.id, target);
    this.changed.fire();
    return target;
  }

  /** Forgets an added server (closing its session); the configured ones stay. */
  async remove(id: ServerId): Promise<boolean> {
    if (!this.addedTargets.has(id)) return false;
    await this.closeSession(id);
    this.addedTargets.delete(id);
    this.states.delete(id);
    this.changed.fire();
    return true;
  }

  /** Records a server's state (and tells the views). */
  update(c: ServerConnection): ServerConnection {
    this.states.set(c.id, c);
    this.changed.fire();
    return c;
  }

  session(id: ServerId): S | undefined {
    return this.sessions.get(id);
  }

  setSession(id: ServerId, session: S): void {
    this.sessions.set(id, session);
  }

  /** Closes the session (if any) and shows the server as disconnected. */
  async disconnect(id: ServerId): Promise<void> {
    await this.closeSession(id);
    const c = this.states.get(id);
    if (c) this.update({ ...c, status: 'disconnected', tools: [] });
  }

  anyConnected(): boolean {
    return this.list().some((c) => c.status === 'connected');
  }

  private async closeSession(id: ServerId): Promise<void> {
    const s = this.sessions.get(id);
    this.sessions.delete(id);
    await s?.close().catch(() => undefined);
  }

  dispose(): void {
    for (const s of this.sessions.values()) void s.close().catch(() => undefined);
    this.sessions.clear();
    this.changed.dispose();
  }
}
