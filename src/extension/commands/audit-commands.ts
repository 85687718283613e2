/**
 * "Sherpa: Audit an MCP Server…", "Sherpa Lab: Audit Both Lab Servers" (waypoint 6) and the
 * exports. The audit itself is core's (src/core/audit); this picks the target, hands it the tokens the
 * person legitimately holds for it, shows progress with Cancel, and fills the Audit view.
 */
import * as vscode from 'vscode';
import { CLIENT_PROFILES } from '../../core/audit/client-profiles';
import type { AuditReport } from '../../core/audit/findings';
import { formatReport, summarize } from '../../core/audit/report-format';
import { auditServer } from '../../core/audit/run-audit';
import { toNotificationText, toQuickPickText } from '../../core/untrusted-text';
import { assertOpenableUrl } from '../../core/url';
import { SherpaError } from '../../core/errors';
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

/** What the person picked: the server, and whether the registration probes (which WRITE) run too. */
interface AuditPick {
  url: string;
  probeRegistration: boolean;
}

async function pickTarget(deps: AuditDeps): Promise<AuditPick | undefined> {
  type Item = vscode.QuickPickItem & { url?: string; probe?: true };
  const fromMcpJson = await serversFromMcpJson();
  const servers: Item[] = [
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
  // The registration probes (`--probe-registration`) WRITE at the authorization server, so they are an
  // item the person picks on purpose, never a default; picking it asks for the server again.
  const probeItem: Item = {
    label: `$(warning) ${vscode.l10n.t('Also probe registration (writes registrations at the authorization server)…')}`,
    detail: vscode.l10n.t(
      'Off by default. Sends RFC 7591 registrations the server should refuse; any it accepts are listed and deleted where RFC 7592 allows.',
    ),
    alwaysShow: true,
    probe: true,
  };
  let probeRegistration = false;
  let pick = await vscode.window.showQuickPick([...servers, probeItem], {
    title: vscode.l10n.t('Audit which MCP server?'),
    matchOnDescription: true,
  });
  if (pick?.probe) {
    probeRegistration = true;
    pick = await vscode.window.showQuickPick(servers, {
      title: vscode.l10n.t(
        'Audit which MCP server? Registration probes ON: they write registrations at its authorization server',
      ),
      matchOnDescription: true,
    });
  }
  if (!pick) return undefined;
  if (pick.url) return { url: pick.url, probeRegistration };
  const url = await vscode.window.showInputBox({
    title: vscode.l10n.t('MCP server URL to audit'),
    placeHolder: 'https://mcp.example.com/mcp',
    validateInput: (v) =>
      /^https?:\/\/\S+$/.test(v.trim()) ? undefined : vscode.l10n.t('An http(s) URL of the MCP endpoint'),
  });
  return url ? { url, probeRegistration } : undefined;
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

/**
 * Audits one server with progress and Cancel; undefined when cancelled or failed (the failure is shown).
 * With `target` given (API, tests, a Servers row) the registration probes run only when
 * `probeRegistration` is true; from the quick pick, only when the person picked that item.
 */
export async function auditServerCommand(
  deps: AuditDeps,
  target?: string,
  probeRegistration = false,
): Promise<AuditReport | undefined> {
  const picked = target ? { url: target, probeRegistration } : await pickTarget(deps);
  if (!picked) return undefined;
  try {
    const report = await runWithProgress(deps, picked.url.trim(), picked.probeRegistration);
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

function runWithProgress(deps: AuditDeps, url: string, probeRegistration = false): Promise<AuditReport> {
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
          probeRegistration,
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

/**
 * Opens a source of a client profile (a "Source" row under Sign-in compatibility): only a URL that
 * client-profiles.ts cites, and only after assertOpenableUrl (https, no credentials). False when refused.
 */
export async function openAuditSourceCommand(log: SherpaLog, url: unknown): Promise<boolean> {
  const cited = CLIENT_PROFILES.some((p) => p.sources.some((s) => s.url === url));
  try {
    if (typeof url !== 'string' || !cited)
      throw new SherpaError('UNSAFE_URL', vscode.l10n.t('Not a source the client profiles cite'));
    const safe = assertOpenableUrl(url);
    return await vscode.env.openExternal(vscode.Uri.parse(safe.href));
  } catch (err) {
    showFailure(log, vscode.l10n.t('Could not open the source'), err);
    return false;
  }
}
