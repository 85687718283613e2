/**
 * The Azure commands: Sign In to Azure, Provision, Register Entra App, Configure Secure Server, Migrate
 * Secrets to Key Vault, Verify Deployment (+ export). Thin: they ask (quick picks, password boxes), show
 * progress and results — all through `session.ui` (src/extension/azure/azure-ui.ts), injected in the
 * AzureSession's constructor; src/core/azure does the work — the same code as `sherpa azure …`.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { EXPECTED_SECRET_NAMES } from '../../core/azure/built-in-roles';
import { configureSecureServer, type ConfigureResult } from '../../core/azure/configure-app';
import { migrateSecrets, type MigrateSecretsResult } from '../../core/azure/migrate-secrets';
import { runPreflight } from '../../core/azure/preflight';
import { provisionSteps, readAzdOutputs } from '../../core/azure/provision';
import { registerEntraApp, type RegisterAppResult } from '../../core/azure/register-app';
import { runToolIn } from '../../core/azure/tool-runner';
import { runProvisionTasks } from '../azure/provision-tasks';
import { reportAzureFailure } from '../azure/azure-failure';
import { createDeploymentProject } from './azure-project-commands';
import { describeAzdEnvOutcome, saveApiClientIdInAzdEnv } from '../../core/azure/azd-env';
import { verifyAzureDeployment, verifyLab, type VerifyReport } from '../../core/azure/verify-deployment';
import { formatVerifyReport } from '../../core/azure/verify-report';
import { isSherpaError } from '../../core/errors';
import { toNotificationText } from '../../core/untrusted-text';
import type { AzureSession } from '../azure/azure-session';
import type { ServerEndpoints } from '../endpoints';
import type { SherpaLog } from '../output-log';
import { readSettings, SettingKeys } from '../settings';
import type { VerifyTreeProvider } from '../views/verify-tree';

export async function signInToAzureCommand(
  session: AzureSession,
  log: SherpaLog,
): Promise<string | undefined> {
  try {
    const id = await session.signIn();
    if (id)
      void session.ui.notify('info', vscode.l10n.t('Sherpa: signed in to Azure, subscription {0}.', id));
    return id;
  } catch (err) {
    reportAzureFailure(session.ui, log, vscode.l10n.t('Sign In to Azure'), err);
    return undefined;
  }
}

/** The workspace folder holding azure.yaml: azd runs there. */
async function azdFolder(): Promise<vscode.Uri | undefined> {
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(f.uri, 'azure.yaml'));
      return f.uri;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * Provision: azd in the workspace folder holding azure.yaml — or, with none (Sherpa installed from the
 * Marketplace, no clone), in a deployment project it offers to write first (azure-project-commands.ts).
 */
export async function provisionCommand(
  session: AzureSession,
  log: SherpaLog,
  extensionPath: string,
): Promise<number | undefined> {
  try {
    const inWorkspace = await azdFolder();
    if (inWorkspace && !vscode.workspace.isTrusted) {
      // azd runs the hooks azure.yaml names: code from the repository.
      void session.ui.notify(
        'error',
        vscode.l10n.t(
          'Sherpa: Provision runs azd with this folder’s azure.yaml and its hooks; trust the workspace first.',
        ),
      );
      return undefined;
    }
    let folderPath = inWorkspace?.fsPath;
    if (!folderPath) {
      const create = await session.ui.confirm(
        vscode.l10n.t('Provision needs a deployment project: azure.yaml and its infra/ folder.'),
        vscode.l10n.t(
          'No open folder has one. Sherpa can write one into a folder you pick — azure.yaml, the Bicep templates, a Dockerfile and the server — and provision from there.',
        ),
        vscode.l10n.t('Create Project…'),
      );
      if (!create) return undefined;
      folderPath = await createDeploymentProject(session.ui, log, extensionPath);
      if (!folderPath) return undefined;
    }
    const folder = { fsPath: folderPath };
    const run = runToolIn(folder.fsPath);
    const o = { subscriptionId: readSettings().azure.subscriptionId };
    const preflight = await session.ui.progress(vscode.l10n.t('checking azd, az and docker…'), () =>
      runPreflight(run, o),
    );
    for (const i of preflight.items)
      log.info(`[preflight] ${i.ok ? '✓' : '✗'} ${i.id}: ${i.detail}${i.ok ? '' : ` → ${i.fix}`}`);
    if (!preflight.ok) {
      const missing = preflight.items.filter((i) => !i.ok);
      void session.ui
        .notify(
          'error',
          vscode.l10n.t(
            'Sherpa: Provision preflight failed — {0}',
            missing.map((i) => `${i.detail}: ${i.fix}`).join(' · '),
          ),
          vscode.l10n.t('Show Log'),
        )
        .then((c) => c && log.show());
      return undefined;
    }
    // Visible, cancellable terminal tasks running exactly the CLI's steps, each as a process (no shell).
    const steps = provisionSteps(preflight, o);
    const code = await session.ui.progress(vscode.l10n.t('provisioning with azd (see the terminal)…'), () =>
      runProvisionTasks(steps, folder.fsPath),
    );
    if (code !== 0) {
      void session.ui.notify(
        'error',
        vscode.l10n.t('Sherpa: azd failed (exit {0}); its output is in the terminal.', code),
      );
      return code;
    }
    const outputs = await readAzdOutputs(run);
    if (outputs.SECURE_SERVER_URL)
      await session.update(SettingKeys.secureServerUrl, outputs.SECURE_SERVER_URL);
    if (outputs.VULNERABLE_SERVER_URL)
      await session.update(SettingKeys.vulnerableServerUrl, outputs.VULNERABLE_SERVER_URL);
    if (outputs.AZURE_RESOURCE_GROUP)
      await session.update(SettingKeys.azureResourceGroup, outputs.AZURE_RESOURCE_GROUP);
    void session.ui.notify(
      'info',
      vscode.l10n.t(
        'Sherpa: provisioned. Secure server {0}. Next: Register Entra App.',
        outputs.SECURE_SERVER_URL ?? '?',
      ),
    );
    return 0;
  } catch (err) {
    reportAzureFailure(session.ui, log, vscode.l10n.t('Provision'), err);
    return undefined;
  }
}

export async function registerAppCommand(
  session: AzureSession,
  endpoints: () => ServerEndpoints,
  log: SherpaLog,
): Promise<RegisterAppResult | undefined> {
  try {
    let secureUrl = endpoints().secureUrl;
    if (!secureUrl.startsWith('https://')) {
      const typed = await session.ui.input({
        title: vscode.l10n.t('Sherpa: Register Entra App'),
        prompt: vscode.l10n.t("The secure server's public MCP URL (https://…/mcp)"),
        validateInput: (v) =>
          /^https:\/\/[^/]+\/.+/.test(v) ? undefined : vscode.l10n.t('an https URL ending in the MCP path'),
      });
      if (!typed) return undefined;
      secureUrl = typed;
    }
    const ctx = {
      credential: session.credential(),
      endpoints: session.endpoints(),
      subscriptionId: '',
      resourceGroup: '',
    };
    const r = await session.ui.progress(vscode.l10n.t('registering the Entra app…'), (p) =>
      registerEntraApp(ctx, { secureUrl, onProgress: (m) => p.report({ message: m }) }),
    );
    await session.update(SettingKeys.azureApiClientId, r.appId);
    log.info(
      `[register] ${r.created ? 'created' : 'found'} ${r.uniqueName} appId ${r.appId}; repaired: ${r.repaired.join(', ') || 'nothing'}; identifier URI ${r.identifierUri.outcome}`,
    );
    if (r.identifierUri.outcome === 'refused') {
      void session.ui.notify(
        'warning',
        vscode.l10n.t(
          'Sherpa: app {0} registered, but Entra refused {1} as an identifier URI ({2}). Fallback: api://{0} only; Configure will advertise {3}.',
          r.appId,
          r.identifierUri.url,
          toNotificationText(r.identifierUri.detail),
          String(r.scopesSupported[0]),
        ),
      );
    } else {
      void session.ui.notify(
        'info',
        r.created
          ? vscode.l10n.t('Sherpa: app {0} registered. Next: Configure Secure Server.', r.appId)
          : r.repaired.length
            ? vscode.l10n.t(
                'Sherpa: app {0} repaired ({1}). Next: Configure Secure Server.',
                r.appId,
                r.repaired.join(', '),
              )
            : vscode.l10n.t('Sherpa: app {0} already up to date. Next: Configure Secure Server.', r.appId),
      );
    }
    return r;
  } catch (err) {
    reportAzureFailure(session.ui, log, vscode.l10n.t('Register Entra App'), err);
    return undefined;
  }
}

export async function configureCommand(
  session: AzureSession,
  log: SherpaLog,
): Promise<ConfigureResult | undefined> {
  try {
    const ctx = await session.context(
      "Configure Secure Server changes the secure server's settings in your Azure subscription, so it needs your Azure account.",
    );
    if (!ctx) return undefined;
    const apiClientId =
      readSettings().azure.apiClientId ??
      (await session.ui.input({
        title: vscode.l10n.t('Sherpa: Configure Secure Server'),
        prompt: vscode.l10n.t("The API app registration's client id (Register Entra App prints it)"),
        validateInput: (v) => (/^[0-9a-f-]{36}$/i.test(v) ? undefined : vscode.l10n.t('a GUID')),
      }));
    if (!apiClientId) return undefined;
    const r = await session.ui.progress(vscode.l10n.t('configuring the secure app (new revision)…'), (p) =>
      configureSecureServer(ctx, { apiClientId, onProgress: (m) => p.report({ message: m }) }),
    );
    // azd runs in the folder holding azure.yaml, where its .azure/ environment lives.
    const folder = await azdFolder();
    const azd = folder
      ? await saveApiClientIdInAzdEnv(runToolIn(folder.fsPath), apiClientId, {
          scopesSupported: r.scopesSupported,
        })
      : ({ saved: false, reason: 'no folder with azure.yaml is open' } as const);
    log.info(describeAzdEnvOutcome(azd, apiClientId, r.scopesSupported));
    void session.ui.notify(
      'info',
      (r.changed.length
        ? vscode.l10n.t(
            'Sherpa: {0} updated ({1}). Revision {2}.',
            r.app,
            r.changed.join(', '),
            toNotificationText(r.revisionState ?? r.revision ?? '?'),
          )
        : vscode.l10n.t(
            'Sherpa: {0} already configured. Revision {1}.',
            r.app,
            toNotificationText(r.revisionState ?? r.revision ?? '?'),
          )) + (azd.saved ? ' ' + vscode.l10n.t('SHERPA_API_CLIENT_ID saved in the azd environment.') : ''),
    );
    return r;
  } catch (err) {
    reportAzureFailure(session.ui, log, vscode.l10n.t('Configure Secure Server'), err);
    return undefined;
  }
}

export async function migrateSecretsCommand(
  session: AzureSession,
  log: SherpaLog,
): Promise<MigrateSecretsResult | undefined> {
  try {
    const ctx = await session.context(
      "Migrate Secrets writes the secrets into the deployment's Key Vault, so it needs your Azure account.",
    );
    if (!ctx) return undefined;
    const secrets: { name: string; value: string }[] = [];
    for (const name of EXPECTED_SECRET_NAMES) {
      const how = await session.ui.pick(
        [
          { label: vscode.l10n.t('Generate a random value'), id: 'generate' },
          { label: vscode.l10n.t('Enter a value…'), id: 'enter' },
        ],
        { title: vscode.l10n.t('Sherpa: value for {0}', name), ignoreFocusOut: true },
      );
      if (!how) return undefined;
      let value = randomBytes(32).toString('base64url');
      if (how.id === 'enter') {
        // password: true — the value is never shown, logged or echoed back.
        const typed = await session.ui.input({
          title: vscode.l10n.t('Sherpa: value for {0}', name),
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => (v ? undefined : vscode.l10n.t('a value')),
        });
        if (!typed) return undefined;
        value = typed;
      }
      secrets.push({ name, value });
    }
    // Cancel aborts the run; migrateSecrets still removes its temporary grant before it returns.
    let r: MigrateSecretsResult;
    try {
      r = await session.ui.cancellableProgress(
        vscode.l10n.t('migrating secrets to Key Vault…'),
        (p, signal) => migrateSecrets(ctx, { secrets, signal, onProgress: (m) => p.report({ message: m }) }),
      );
    } catch (err) {
      if (!isSherpaError(err, 'AZURE_CANCELLED')) throw err;
      void session.ui.notify(
        'info',
        vscode.l10n.t('Sherpa: {0}; the temporary grant was removed.', err.message),
      );
      return undefined;
    }
    void session.ui.notify(
      'info',
      vscode.l10n.t(
        'Sherpa: wrote {0} to {1}{2}; {3}.',
        r.written.join(', '),
        r.vault,
        r.firstWriteAttempts > 1
          ? ' ' + vscode.l10n.t('(after {0} attempts while RBAC propagated)', r.firstWriteAttempts)
          : '',
        r.grant === 'temporary-removed'
          ? vscode.l10n.t('temporary grant removed')
          : vscode.l10n.t('your existing grant left as it was'),
      ),
    );
    return r;
  } catch (err) {
    reportAzureFailure(session.ui, log, vscode.l10n.t('Migrate Secrets to Key Vault'), err);
    return undefined;
  }
}

export async function verifyDeploymentCommand(
  session: AzureSession,
  view: VerifyTreeProvider,
  endpoints: () => ServerEndpoints,
  log: SherpaLog,
  target?: 'azure' | 'lab',
): Promise<VerifyReport | undefined> {
  try {
    const choice =
      target ??
      (
        await session.ui.pick(
          [
            { label: vscode.l10n.t('Azure deployment'), id: 'azure' as const },
            { label: vscode.l10n.t('Local lab'), id: 'lab' as const, description: endpoints().secureUrl },
          ],
          { title: vscode.l10n.t('Sherpa: Verify Deployment') },
        )
      )?.id;
    if (!choice) return undefined;
    let report: VerifyReport;
    if (choice === 'lab') {
      report = await session.ui.progress(vscode.l10n.t('verifying the local lab…'), () =>
        verifyLab({ url: endpoints().secureUrl }),
      );
    } else {
      const ctx = await session.context(
        'Verify Deployment reads the deployment in your Azure subscription (it changes nothing), so it needs your Azure account.',
      );
      if (!ctx) return undefined;
      report = await session.ui.progress(vscode.l10n.t('verifying the Azure deployment (read-only)…'), () =>
        verifyAzureDeployment(ctx),
      );
    }
    for (const c of report.checks) log.info(`[verify] ${c.status} ${c.id}: ${c.evidence}`);
    view.show(report);
    await vscode.commands.executeCommand('sherpa.verify.focus');
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    void (
      failed
        ? session.ui.notify(
            'warning',
            vscode.l10n.t('Sherpa: {0} check(s) failed — see the Verify view.', failed),
            vscode.l10n.t('Export as Markdown'),
          )
        : session.ui.notify(
            'info',
            vscode.l10n.t('Sherpa: every check passed (or does not apply).'),
            vscode.l10n.t('Export as Markdown'),
          )
    ).then((c) => c && vscode.commands.executeCommand('sherpa.azure.exportVerifyReport'));
    return report;
  } catch (err) {
    reportAzureFailure(session.ui, log, vscode.l10n.t('Verify Deployment'), err);
    return undefined;
  }
}

export async function exportVerifyReportCommand(view: VerifyTreeProvider): Promise<string | undefined> {
  if (!view.report) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Sherpa: run Verify Deployment first.'));
    return undefined;
  }
  const content = formatVerifyReport(view.report, 'markdown');
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(doc, { preview: false });
  return content;
}
