/**
 * The Token view: the current access token decoded (jose, via core/token-inspection — no signature check,
 * that is the resource server's job), each claim readable, and the checks a resource server applies,
 * against what the server's metadata leads us to expect.
 */
import * as vscode from 'vscode';
import {
  decodeToken,
  describeClaim,
  inspectToken,
  type DecodedToken,
  type TokenCheck,
} from '../../core/token/token-inspection';
import type { TokenState } from '../connect/token-state';
import { CheckNode } from './check-node';
import { ClaimNode } from './claim-node';
import { MessageNode } from './message-node';
import { SectionNode } from './section-node';

export class TokenTreeProvider implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  // Relative times ("expires in 42 min") go stale: redraw every 30 s while a token is shown.
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly tokens: TokenState) {
    this.subscription = tokens.onDidChange(() => this.refresh());
    this.timer = setInterval(() => {
      if (this.tokens.current) this.refresh();
    }, 30_000);
  }

  refresh(): void {
    this.changed.fire();
  }

  /** The checks of the current token (undefined when none or not a JWT). Used by tests and the status bar. */
  currentChecks(now?: number): TokenCheck[] | undefined {
    const decoded = this.decoded();
    const t = this.tokens.current;
    if (!decoded || !t) return undefined;
    return inspectToken(decoded, { ...t.expectations, ...(now !== undefined ? { now } : {}) });
  }

  getTreeItem(node: vscode.TreeItem): vscode.TreeItem {
    return node;
  }

  getChildren(node?: vscode.TreeItem): vscode.TreeItem[] {
    if (node instanceof SectionNode) return node.children;
    if (node) return [];
    const t = this.tokens.current;
    if (!t) return [];
    const decoded = this.decoded();
    if (!decoded) {
      return [
        new MessageNode('Opaque token', 'not a JWT: no claims say who, for what, or until when', 'warning'),
      ];
    }
    const checks = this.currentChecks() ?? [];
    const failed = checks.filter((c) => c.status === 'fail').length;
    const now = Math.floor(Date.now() / 1000);
    return [
      new MessageNode('Source', t.source, 'key'),
      new SectionNode(
        'Checks',
        checks.map((c) => new CheckNode(c)),
        failed ? 'error' : 'pass',
        failed ? `${failed} failed` : 'all passed',
      ),
      new SectionNode(
        'Header',
        Object.entries(decoded.header).map(([k, v]) => new ClaimNode(describeClaim(k, v, now), 'header')),
        'symbol-key',
      ),
      new SectionNode(
        'Claims',
        Object.entries(decoded.claims).map(([k, v]) => new ClaimNode(describeClaim(k, v, now), 'claim')),
        'symbol-field',
      ),
    ];
  }

  private decoded(): DecodedToken | undefined {
    const t = this.tokens.current;
    if (!t) return undefined;
    try {
      return decodeToken(t.accessToken);
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
