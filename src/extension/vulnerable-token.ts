/**
 * The vulnerable server's static bearer token (RFC 6750 §2.1), kept in VS Code's SecretStorage, never in
 * settings: settings.json is synced, shared and committed in `.vscode/`, so a real credential put there
 * leaks. A stored token is bound to the origin it was stored for: it is only ever sent to that origin,
 * so changing where the vulnerable server "is" (a setting, a lab restart) can never carry the token to
 * another host. Everywhere else the lab's own token is used — that one is the lesson, public in the repo.
 * Every reader (MCP definitions, Connect Vulnerable Server, Validate Security) goes through this service,
 * and every value it hands out is registered with the redactor so the output channel masks it.
 */
import * as vscode from 'vscode';
import { LAB_STATIC_TOKEN } from '../servers/shared/lab-defaults';
import { registerSecret } from '../core/token/redact';

/** SecretStorage key. */
export const VULNERABLE_TOKEN_SECRET_KEY = 'sherpa.vulnerableServer.staticToken';

interface StoredToken {
  origin: string;
  token: string;
}

export class VulnerableTokenStore implements vscode.Disposable {
  private value: StoredToken | undefined;
  private readonly loaded: Promise<void>;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the stored token changes (this window or another one sharing the SecretStorage). */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    registerSecret(LAB_STATIC_TOKEN);
    this.loaded = this.reload();
    this.subscription = secrets.onDidChange((e) => {
      if (e.key === VULNERABLE_TOKEN_SECRET_KEY) void this.reload();
    });
  }

  /** The token to send to `serverUrl`: the stored one for its origin, else the lab's default. */
  async get(serverUrl: string): Promise<string> {
    await this.loaded;
    return this.currentFor(serverUrl);
  }

  /**
   * The last value read, for synchronous readers (the MCP definition provider); the lab default until
   * SecretStorage has answered, after which {@link onDidChange} fires if it differs.
   */
  currentFor(serverUrl: string): string {
    return this.value && this.value.origin === originOf(serverUrl) ? this.value.token : LAB_STATIC_TOKEN;
  }

  /** The origin a custom token is stored for, if any. */
  get storedOrigin(): string | undefined {
    return this.value?.origin;
  }

  /** True when a token other than the lab's default is stored. */
  get isCustom(): boolean {
    return this.value !== undefined;
  }

  /** Stores a token for the origin of `serverUrl`; empty or undefined deletes it (the lab's default applies). */
  async set(token: string | undefined, serverUrl: string): Promise<void> {
    const trimmed = token?.trim();
    if (trimmed) {
      registerSecret(trimmed);
      const record: StoredToken = { origin: originOf(serverUrl), token: trimmed };
      await this.secrets.store(VULNERABLE_TOKEN_SECRET_KEY, JSON.stringify(record));
    } else {
      await this.secrets.delete(VULNERABLE_TOKEN_SECRET_KEY);
    }
    await this.reload();
  }

  private async reload(): Promise<void> {
    const next = parse(await this.secrets.get(VULNERABLE_TOKEN_SECRET_KEY));
    if (next) registerSecret(next.token);
    if (next?.origin === this.value?.origin && next?.token === this.value?.token) return;
    this.value = next;
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid:';
  }
}

// An entry written before tokens were bound to an origin (a bare string) is bound to nothing: it is
// never sent, and the person sets it again for the server it belongs to.
function parse(raw: string | undefined): StoredToken | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<StoredToken>;
    if (typeof v?.origin === 'string' && typeof v.token === 'string' && v.token.trim()) {
      return { origin: v.origin, token: v.token.trim() };
    }
  } catch {
    // not JSON: the legacy bare-string form
  }
  registerSecret(raw.trim());
  return undefined;
}
