/**
 * The Token view: the tokens Sherpa holds, from token-model.ts. One token: its rows at the top level
 * (who signed in, Source, Checks, Header, Claims). Tokens of several servers: one heading per server,
 * the one in focus opened.
 */
import * as vscode from 'vscode';
import type { ServerId } from '../connect/server-target';
import type { TokenState } from '../connect/token-state';
import { CheckNode } from './check-node';
import { ClaimNode } from './claim-node';
import { MessageNode } from './message-node';
import { SectionNode } from './section-node';
import { ServerTokenNode } from './server-token-node';
import { tokenViewModel, type TokenBody } from './token-model';

export class TokenTreeProvider implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };
  // Relative times ("expires in 42 min") go stale: redraw every 30 s while a token is shown.
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly tokens: TokenState,
    /** The Servers view's label of a server (undefined once the server is gone). */
    private readonly labelOf: (id: ServerId) => string | undefined,
  ) {
    this.subscription = tokens.onDidChange(() => this.refresh());
    this.timer = setInterval(() => {
      if (this.tokens.current) this.refresh();
    }, 30_000);
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: vscode.TreeItem): vscode.TreeItem {
    return node;
  }

  getChildren(node?: vscode.TreeItem): vscode.TreeItem[] {
    if (node instanceof SectionNode || node instanceof ServerTokenNode) return node.children;
    if (node) return [];
    const model = tokenViewModel(this.tokens.all(), {
      ...(this.tokens.selected ? { selected: this.tokens.selected } : {}),
      labelOf: this.labelOf,
    });
    if (model.length === 1) return bodyNodes(model[0]!.body, '');
    return model.map(
      (m) =>
        new ServerTokenNode(m.serverId, m.label, bodyNodes(m.body, `${m.serverId}/`), {
          ...(m.url ? { url: m.url } : {}),
          selected: m.selected,
          failed: m.body.kind === 'jwt' ? m.body.failed : 0,
        }),
    );
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function bodyNodes(body: TokenBody, idPrefix: string): vscode.TreeItem[] {
  if (body.kind === 'opaque') {
    return [
      new MessageNode(
        vscode.l10n.t('Opaque token'),
        vscode.l10n.t('not a JWT: no claims say who, for what, or until when'),
        'warning',
      ),
    ];
  }
  const who = new MessageNode(body.signedInAs.label, body.signedInAs.description, 'account');
  who.tooltip = body.signedInAs.tooltip;
  return [
    who,
    new MessageNode(vscode.l10n.t('Source'), body.source, 'key'),
    new SectionNode(
      vscode.l10n.t('Checks'),
      body.checks.map((c) => new CheckNode(c, idPrefix)),
      body.failed ? 'error' : 'pass',
      body.failed ? vscode.l10n.t('{0} failed', body.failed) : vscode.l10n.t('all passed'),
      idPrefix,
    ),
    new SectionNode(
      vscode.l10n.t('Header'),
      body.header.map((l) => new ClaimNode(l, 'header', idPrefix)),
      'symbol-key',
      undefined,
      idPrefix,
    ),
    new SectionNode(
      vscode.l10n.t('Claims'),
      body.claims.map((l) => new ClaimNode(l, 'claim', idPrefix)),
      'symbol-field',
      undefined,
      idPrefix,
    ),
  ];
}
