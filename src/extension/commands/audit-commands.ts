/**
 * "Sherpa: Audit an MCP Server…", "Sherpa Lab: Audit Both Lab Servers" (waypoint 6) and the
 * exports. The audit itself is core's (src/core/audit); this picks the target, hands it the tokens the
 * person legitimately holds for it, shows progress with Cancel, and fills the Audit view.
 */
import * as vscode from 'vscode';
import type { AuditReport } from '../../core/audit/findings';
import { formatReport, summarize } from '../../core/audit/report-format';
import { auditServer } from '../../core/audit/run-audit';
import { toNotificationText, toQuickPickText } from '../../core/untrusted-text';
import type { ConnectionManager } from '../connect/connection-manager';
import type { TokenState } from '../connect/token-state';
import type { ServerEndpoints } from '../endpoints';
import { errorCode, ExtensionError, START_LOCAL_LAB_STEP } from '../errors';
import { withStartLocalServerHint } from '../../core/net/network-failure';
import type { SherpaLog } from '../output-log';
import { proxyResolvesNames } from '../settings';
import { showFailure } from '../show-failure';
import { serversFromMcpJson } from '../mcp/mcp-json-servers';
import type { AuditTreeProvider } from '../views/audit/audit-tree';

export interface AuditDeps {
  log: SherpaLog;
  connections: ConnectionManager;
  tokenState: TokenState;
  endpoints: () => ServerEndpoints;
  /** The vulnerable server's static token for a URL (SecretStorage, bound to its origin). */
  staticToken: (url: string) => Promise<string>;
  view: AuditTreeProvider;
}

async function pickTarget(deps: AuditDeps): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { url?: string };
  const fromMcpJson = await serversFromMcpJson();
  const items: Item[] = [
    ...deps.connections.list().map((c) => ({
      label: toQuickPickText(c.label, 120),
      description: c.url,
      detail: vscode.l10n.t('Sherpa (Servers view)'),
      url: c.url,
    })),
    ...fromMcpJson.map((s) => ({
      label: toQuickPickText(s.name, 80),
      description: s.url,
      detail: '.vscode/mcp.json',
      url: s.url,
    })),
    { label: vscode.l10n.t('Enter a URL…'), alwaysShow: true },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Audit which MCP server?'),
    matchOnDescription: true,
  });
  if (!pick) return undefined;
  if (pick.url) return pick.url;
  return vscode.window.showInputBox({
    title: vscode.l10n.t('MCP server URL to audit'),
    placeHolder: 'https://mcp.example.com/mcp',
    validateInput: (v) =>
      /^https?:\/\/\S+$/.test(v.trim()) ? undefined : vscode.l10n.t('An http(s) URL of the MCP endpoint'),
  });
}

/**
 * The token the person holds for `url`: the one Sherpa obtained for exactly this server (never another
 * server's: the audit replays it), or the static token of a static-token server.
 */
export async function tokensFor(deps: AuditDeps, url: string): Promise<{ valid?: string }> {
  const held = deps.tokenState.forUrl(url);
  if (held) return { valid: held.accessToken };
  if (deps.connections.byUrl(url)?.auth === 'static-token') return { valid: await deps.staticToken(url) };
  return {};
}

/** Audits one server with progress and Cancel; undefined when cancelled or failed (the failure is shown). */
export async function auditServerCommand(deps: AuditDeps, target?: string): Promise<AuditReport | undefined> {
  const url = target ?? (await pickTarget(deps));
  if (!url) return undefined;
  try {
    const report = await runWithProgress(deps, url.trim());
    deps.view.show(report);
    void vscode.commands.executeCommand('sherpa.audit.focus');
    const mustFailed = report.findings.filter((f) => f.status === 'fail' && f.level === 'must').length;
    const message = mustFailed
      ? vscode.l10n.t(
          'Audit of {0}: {1} — {2} MUST requirement(s) failed.',
          toNotificationText(report.target),
          summarize(report),
          mustFailed,
        )
      : vscode.l10n.t('Audit of {0}: {1}.', toNotificationText(report.target), summarize(report));
    if (mustFailed) void vscode.window.showWarningMessage(message);
    else void vscode.window.showInformationMessage(message);
    return report;
  } catch (err) {
    // The person's Cancel ends the audit quietly; a failure reads as `sherpa audit` says it.
    if (errorCode(err) === 'AUDIT_CANCELLED') return undefined;
    showFailure(deps.log, vscode.l10n.t('Audit failed'), withStartLocalServerHint(err, START_LOCAL_LAB_STEP));
    return undefined;
  }
}

function runWithProgress(deps: AuditDeps, url: string): Promise<AuditReport> {
  return Promise.resolve(
    vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Sherpa: auditing {0}', url),
        cancellable: true,
      },
      async (progress, cancel) => {
        const abort = new AbortController();
        cancel.onCancellationRequested(() =>
          abort.abort(new ExtensionError('AUDIT_CANCELLED', 'The audit was cancelled')),
        );
        const report = await auditServer(url, {
          tokens: await tokensFor(deps, url),
          resolveNames: !proxyResolvesNames(),
          signal: abort.signal,
          onFinding: (f) => progress.report({ message: `${f.id}: ${f.status}` }),
        });
        for (const f of report.findings)
          deps.log.info(`[audit] ${f.status.padEnd(4)} ${f.level.padEnd(6)} ${f.id}: ${f.detail}`);
        return report;
      },
    ),
  );
}

/** Waypoint 6: the audit of both lab servers, side by side in the Audit view. */
export async function validateSecurityCommand(deps: AuditDeps): Promise<AuditReport[] | undefined> {
  const { secureUrl, vulnerableUrl } = deps.endpoints();
  try {
    const reports: AuditReport[] = [];
    for (const url of [vulnerableUrl, secureUrl]) {
      const report = await runWithProgress(deps, url);
      deps.view.show(report);
      reports.push(report);
    }
    void vscode.commands.executeCommand('sherpa.audit.focus');
    return reports;
  } catch (err) {
    if (errorCode(err) === 'AUDIT_CANCELLED') return undefined;
    showFailure(
      deps.log,
      vscode.l10n.t('Audit Both Lab Servers failed'),
      withStartLocalServerHint(err, START_LOCAL_LAB_STEP),
    );
    return undefined;
  }
}

/** Export SARIF / Markdown of a shown report to a file the person chooses (or `uri`). */
export async function exportAuditCommand(
  view: AuditTreeProvider,
  format: 'sarif' | 'markdown',
  o: { target?: string; uri?: vscode.Uri } = {},
): Promise<vscode.Uri | undefined> {
  const report = o.target ? view.list().find((r) => r.target === o.target) : view.list().at(-1);
  if (!report) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('No audit to export yet: run "Sherpa: Audit an MCP Server…" first.'),
    );
    return undefined;
  }
  const ext = format === 'sarif' ? 'sarif' : 'md';
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri =
    o.uri ??
    (await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Export the audit of {0}', report.target),
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `sherpa-audit.${ext}`) } : {}),
      filters: format === 'sarif' ? { SARIF: ['sarif', 'json'] } : { Markdown: ['md'] },
    }));
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, Buffer.from(formatReport(report, format) + '\n', 'utf8'));
  void vscode.window.showInformationMessage(vscode.l10n.t('Audit exported to {0}', uri.fsPath));
  return uri;
}
