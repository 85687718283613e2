/** Status-bar item: which servers are connected, and when each one's token expires. */
import * as vscode from 'vscode';
import { decodeToken, formatRelative } from '../core/token/token-inspection';
import { toTerminalLine } from '../core/untrusted-text';
import type { ConnectionManager, ServerConnection } from './connect/connection-manager';
import type { ServerId } from './connect/server-target';
import type { TokenState } from './connect/token-state';
import type { LabController } from './lab/lab-controller';

export class SherpaStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly connections: ConnectionManager,
    private readonly tokens: TokenState,
    private readonly lab: LabController,
  ) {
    this.item = vscode.window.createStatusBarItem('sherpa.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Sherpa';
    this.item.command = 'workbench.view.extension.sherpa';
    this.subscriptions.push(
      connections.onDidChange(() => this.render()),
      tokens.onDidChange(() => this.render()),
      lab.onDidChangeState(() => this.render()),
    );
    this.timer = setInterval(() => this.render(), 30_000);
    this.render();
    this.item.show();
  }

  /** The text shown, exposed for tests. */
  get text(): string {
    return this.item.text;
  }

  render(): void {
    const all = this.connections.list();
    const connected = all.filter((c) => c.status === 'connected');
    const parts = connected.map((c) =>
      c.auth === 'static-token'
        ? `$(unlock) ${shortName(c)} (static token)`
        : `$(shield) ${shortName(c)}${this.expiry(c.id)}`,
    );
    if (!parts.length)
      parts.push(`$(circle-outline) Sherpa${this.lab.state === 'running' ? ': lab running' : ''}`);
    this.item.text = parts.join('  ');
    this.item.tooltip = `Sherpa — ${all.map((c) => `${shortName(c)}: ${c.status} (${c.url})`).join('; ')}; lab: ${this.lab.state}`;
    // A static token in use is the warning the workshop is about.
    this.item.backgroundColor = connected.some((c) => c.auth === 'static-token')
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
  }

  private expiry(serverId: ServerId): string {
    const t = this.tokens.get(serverId);
    if (!t) return '';
    try {
      const exp = decodeToken(t.accessToken).claims.exp;
      if (typeof exp !== 'number') return ' · token never expires';
      const delta = exp - Math.floor(Date.now() / 1000);
      return delta > 0 ? ` · token expires ${formatRelative(delta)}` : ' · token expired';
    } catch {
      return '';
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

/** "secure", "lab secure"… for Sherpa's own rows (the noun without "server"), host and path for added ones. */
function shortName(c: ServerConnection): string {
  return c.added ? toTerminalLine(c.label, 60) : c.noun.replace(/ server$/, '');
}
