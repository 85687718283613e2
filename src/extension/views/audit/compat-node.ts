/**
 * "Sign-in compatibility" under an audited server: one row per client (will / may / won't sign in, why),
 * and inside it how that client signs in, with its sources. The rows come from report-model.ts.
 */
import * as vscode from 'vscode';
import { toTerminalLine } from '../../../core/untrusted-text';
import type { CompatDetail, CompatGroup, CompatRow, CompatVerdict } from './report-model';
import { FindingDetailNode } from './finding-node';

/** The command a source row runs: opens the URL only after assertOpenableUrl (extension.ts). */
export const OPEN_SOURCE_COMMAND = 'sherpa.audit.openSource';

const ICONS: Record<CompatVerdict, vscode.ThemeIcon> = {
  will: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  may: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  wont: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  unknown: new vscode.ThemeIcon('question'),
};

function verdictText(v: CompatVerdict): string {
  switch (v) {
    case 'will':
      return vscode.l10n.t('will sign in');
    case 'may':
      return vscode.l10n.t('may sign in');
    case 'wont':
      return vscode.l10n.t("won't sign in");
    case 'unknown':
      return vscode.l10n.t('cannot tell');
  }
}

function detailLabel(d: CompatDetail): string {
  switch (d.kind) {
    case 'registration':
      return vscode.l10n.t('Registration path');
    case 'redirect-uris':
      return vscode.l10n.t('Redirect URIs');
    case 'resource':
      return vscode.l10n.t('Resource');
    case 'scopes':
      return vscode.l10n.t('Scopes');
    case 'source':
      return vscode.l10n.t('Source');
  }
}

const DETAIL_ICONS: Record<CompatDetail['kind'], string> = {
  registration: 'key',
  'redirect-uris': 'arrow-swap',
  resource: 'target',
  scopes: 'list-flat',
  source: 'link-external',
};

export class CompatDetailNode extends FindingDetailNode {
  constructor(readonly detail: CompatDetail) {
    super(
      detailLabel(detail),
      detail.value,
      DETAIL_ICONS[detail.kind],
      detail.note ? `${detail.value}\n${detail.note}` : undefined,
    );
    if (detail.url)
      this.command = {
        command: OPEN_SOURCE_COMMAND,
        title: vscode.l10n.t('Open Source'),
        arguments: [detail.url],
      };
  }
}

export class CompatClientNode extends vscode.TreeItem {
  constructor(
    readonly row: CompatRow,
    groupId: string,
  ) {
    super(row.client, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${groupId}:${row.clientId}`;
    // The reason quotes what the server published (its PRM resource): shown as plain text.
    this.description = `${verdictText(row.verdict)} · ${toTerminalLine(row.reason, 200)}`;
    this.tooltip = `${row.client}: ${verdictText(row.verdict)} (${row.findingId})\n${toTerminalLine(row.reason, 1000)}`;
    this.iconPath = ICONS[row.verdict];
    this.contextValue = `sherpa.compat.${row.verdict}`;
  }

  children(): CompatDetailNode[] {
    return this.row.details.map((d) => new CompatDetailNode(d));
  }
}

export class CompatGroupNode extends vscode.TreeItem {
  constructor(
    readonly group: CompatGroup,
    reportId: string,
  ) {
    super(vscode.l10n.t('Sign-in compatibility'), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${reportId}:group:compat`;
    const { will, may, wont } = group.counts;
    this.description = vscode.l10n.t("{0} will, {1} may, {2} won't sign in (predicted)", will, may, wont);
    this.tooltip = vscode.l10n.t(
      'Predicted from each client’s documented behaviour and this server’s metadata; nobody signed in.',
    );
    this.iconPath = new vscode.ThemeIcon('plug');
  }

  children(): CompatClientNode[] {
    return this.group.rows.map((r) => new CompatClientNode(r, this.id!));
  }
}
