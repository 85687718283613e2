/** Status-bar item: which server is connected, and when the current token expires. */
import * as vscode from 'vscode';
import { decodeToken, formatRelative } from '../core/token/token-inspection';
import type { ConnectionManager } from './connect/connection-manager';
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
    const secure = this.connections.get('secure');
    const vulnerable = this.connections.get('vulnerable');
    const parts: string[] = [];
    if (secure.status === 'connected') parts.push(`$(shield) secure${this.expiry()}`);
    if (vulnerable.status === 'connected') parts.push('$(unlock) vulnerable (static token)');
    if (!parts.length)
      parts.push(`$(circle-outline) Sherpa${this.lab.state === 'running' ? ': lab running' : ''}`);
    this.item.text = parts.join('  ');
    this.item.tooltip = `Sherpa — secure: ${secure.status} (${secure.url}); vulnerable: ${vulnerable.status} (${vulnerable.url}); lab: ${this.lab.state}`;
    this.item.backgroundColor =
      vulnerable.status === 'connected'
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
  }

  private expiry(): string {
    const t = this.tokens.current;
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
