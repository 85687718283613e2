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
        ? `$(unlock) ${vscode.l10n.t('{0} (static token)', shortName(c))}`
        : `$(shield) ${shortName(c)}${this.expiry(c.id)}`,
    );
    if (!parts.length)
      parts.push(
        `$(circle-outline) ${this.lab.state === 'running' ? vscode.l10n.t('Sherpa: lab running') : 'Sherpa'}`,
      );
    this.item.text = parts.join('  ');
    this.item.tooltip = vscode.l10n.t(
      'Sherpa — {0}; lab: {1}',
      all.map((c) => `${shortName(c)}: ${c.status} (${c.url})`).join('; '),
      this.lab.state,
    );
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
      if (typeof exp !== 'number') return ' · ' + vscode.l10n.t('token never expires');
      const delta = exp - Math.floor(Date.now() / 1000);
      return delta > 0
        ? ' · ' + vscode.l10n.t('token expires {0}', formatRelative(delta))
        : ' · ' + vscode.l10n.t('token expired');
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
