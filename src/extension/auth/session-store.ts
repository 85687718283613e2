/**
 * Sessions of Sherpa's authentication provider, kept ONLY in VS Code's SecretStorage (the OS keychain
 * on desktop): never in settings, globalState or files. One JSON entry holds all sessions, keyed by
 * issuer inside each record so that sessions for different authorization servers never mix.
 */
import type * as vscode from 'vscode';

export interface StoredSession {
  id: string;
  issuer: string;
  clientId: string;
  resource?: string;
  /** Real scopes requested (pseudo-scopes stripped). */
  scopes: string[];
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch seconds. */
  expiresAt?: number;
  account: { id: string; label: string };
}

const KEY = 'sherpa.oauth.sessions';

export class SessionStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async readAll(): Promise<StoredSession[]> {
    const raw = await this.secrets.get(KEY);
    if (!raw) return [];
    try {
      const parsed = JSON.parse(raw) as unknown;
      return Array.isArray(parsed) ? (parsed as StoredSession[]) : [];
    } catch {
      return []; // a corrupt entry must not block sign-in; the next write replaces it
    }
  }

  async writeAll(sessions: StoredSession[]): Promise<void> {
    if (sessions.length === 0) await this.secrets.delete(KEY);
    else await this.secrets.store(KEY, JSON.stringify(sessions));
  }

  async upsert(session: StoredSession): Promise<void> {
    const all = (await this.readAll()).filter((s) => s.id !== session.id);
    await this.writeAll([...all, session]);
  }

  async remove(id: string): Promise<StoredSession | undefined> {
    const all = await this.readAll();
    const found = all.find((s) => s.id === id);
    if (found) await this.writeAll(all.filter((s) => s.id !== id));
    return found;
  }
}
