/**
 * The vulnerable server's static bearer token (RFC 6750 §2.1), kept in VS Code's SecretStorage, never in
 * settings: settings.json is synced, shared and committed in `.vscode/`, so a real credential put there
 * leaks. When nothing is stored, the lab's own token is used — that one is the lesson, public in the repo.
 * Every reader (MCP definitions, Connect Vulnerable Server, Validate Security) goes through this service,
 * and every value it hands out is registered with the redactor so the output channel masks it.
 */
import * as vscode from 'vscode';
import { LAB_STATIC_TOKEN } from '../core/lab-defaults';
import { registerSecret } from '../core/redact';

/** SecretStorage key. */
export const VULNERABLE_TOKEN_SECRET_KEY = 'sherpa.vulnerableServer.staticToken';

export class VulnerableTokenStore implements vscode.Disposable {
  private value: string | undefined;
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

  /** The token to send: the stored one, else the lab's default. Waits for SecretStorage on first use. */
  async get(): Promise<string> {
    await this.loaded;
    return this.current;
  }

  /**
   * The last value read, for synchronous readers (the MCP definition provider); the lab default until
   * SecretStorage has answered, after which {@link onDidChange} fires if it differs.
   */
  get current(): string {
    return this.value ?? LAB_STATIC_TOKEN;
  }

  /** True when a token other than the lab's default is stored. */
  get isCustom(): boolean {
    return this.value !== undefined;
  }

  /** Stores a token; empty or undefined deletes it, so the lab's default applies again. */
  async set(token: string | undefined): Promise<void> {
    const trimmed = token?.trim();
    if (trimmed) {
      registerSecret(trimmed);
      await this.secrets.store(VULNERABLE_TOKEN_SECRET_KEY, trimmed);
    } else {
      await this.secrets.delete(VULNERABLE_TOKEN_SECRET_KEY);
    }
    await this.reload();
  }

  private async reload(): Promise<void> {
    const stored = (await this.secrets.get(VULNERABLE_TOKEN_SECRET_KEY))?.trim() || undefined;
    if (stored) registerSecret(stored);
    if (stored === this.value) return;
    this.value = stored;
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
