/**
 * The access tokens Sherpa is showing, one per server (from a connect or the device code sign-in), each
 * with the expectations to check it against. The Token view, the status bar, the audit and "Copy token"
 * read it. No `vscode` import: extension.ts mirrors `hasToken` into a context key.
 */
import type { TokenExpectations } from '../../core/token/token-inspection';
import { Emitter, type Disposable } from '../event';
import type { ServerId } from './server-target';

export interface CurrentToken {
  /** The server the token was obtained for. */
  serverId: ServerId;
  accessToken: string;
  /** Where it came from, for people: "secure server sign-in", "device code (Azure CLI client)". */
  source: string;
  serverUrl?: string;
  expectations: TokenExpectations;
  /** Auth provider session id, for sign-out. */
  sessionId?: string;
  providerId?: string;
}

export class TokenState implements Disposable {
  private readonly tokens = new Map<ServerId, CurrentToken>();
  private selectedId: ServerId | undefined;
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  /**
   * The token in focus: the selected server's, else the one set last. What the status bar's expiry and
   * a single-token Token view show.
   */
  get current(): CurrentToken | undefined {
    return (this.selectedId && this.tokens.get(this.selectedId)) || [...this.tokens.values()].at(-1);
  }

  /** Every token, in the order they were obtained. */
  all(): CurrentToken[] {
    return [...this.tokens.values()];
  }

  get(serverId: ServerId): CurrentToken | undefined {
    return this.tokens.get(serverId);
  }

  /** The token obtained for exactly this MCP URL (the audit hands it only to that server). */
  forUrl(url: string): CurrentToken | undefined {
    return this.all().find((t) => t.serverUrl === url);
  }

  /** Sets (or, with undefined, forgets) the token of `serverId`; a new token becomes the one in focus. */
  set(serverId: ServerId, token: Omit<CurrentToken, 'serverId'> | undefined): void {
    // Re-inserted, so `all()` keeps the order tokens were obtained in and `current` is the newest.
    this.tokens.delete(serverId);
    if (token) {
      this.tokens.set(serverId, { ...token, serverId });
      this.selectedId = serverId;
    }
    this.changed.fire();
  }

  /** Puts a server's token in focus (the person picked the server in the Servers view). */
  select(serverId: ServerId): void {
    if (this.selectedId === serverId || !this.tokens.has(serverId)) return;
    this.selectedId = serverId;
    this.changed.fire();
  }

  get selected(): ServerId | undefined {
    return this.current?.serverId;
  }

  /** Forgets every token that came from the auth-provider session `sessionId` (signed out elsewhere). */
  forgetSession(sessionId: string): void {
    const hit = this.all().filter((t) => t.sessionId === sessionId);
    for (const t of hit) this.tokens.delete(t.serverId);
    if (hit.length) this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
