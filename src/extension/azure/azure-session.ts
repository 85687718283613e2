/**
 * Which Azure account, tenant, subscription and resource group the Azure commands work on. Ids live in
 * settings (they are not secrets); tokens stay with VS Code's `microsoft` provider (or, with
 * `sherpa.azure.signIn: environment`, with @azure/identity reading AZURE_* variables — CI, dev containers).
 */
import * as vscode from 'vscode';
import type { TokenCredential } from '@azure/identity';
import type { AzureContext } from '../../core/azure/azure-context';
import {
  isKnownAuthorityHost,
  validateAzureEndpoints,
  type AzureEndpoints,
} from '../../core/azure/endpoints';
import { requireGuid, requireResourceGroupName, requireTenant } from '../../core/azure/azure-names';
import { toQuickPickText } from '../../core/untrusted-text';
import { ExtensionError } from '../errors';
import { readSettings, SETTINGS_SECTION, SettingKeys } from '../settings';
import { vscodeAzureUi, type AzureUi } from './azure-ui';
import { VsCodeMicrosoftCredential } from './vscode-credential';

/** Why Sign In to Azure asks for an account: shown before the tenant is asked for. */
export const WHY_AZURE_SIGN_IN =
  'Sherpa uses your Azure account to list your subscriptions and to read or change the Sherpa deployment in the one you pick.';

export class AzureSession {
  /**
   * `ui`: the quick picks, input boxes, progress and notifications of the Azure commands (the extension
   * tests answer them from a script through the test hooks, test-hooks.ts).
   */
  constructor(readonly ui: AzureUi = vscodeAzureUi) {}

  endpoints(): AzureEndpoints {
    return validateAzureEndpoints(readSettings().azure.endpoints, (k) => {
      const key = {
        resourceManager: SettingKeys.azureResourceManagerEndpoint,
        graph: SettingKeys.azureGraphEndpoint,
        authorityHost: SettingKeys.azureAuthorityHost,
      }[k];
      return `sherpa.${key}`;
    });
  }

  credential(): TokenCredential {
    const s = readSettings().azure;
    if (s.signIn === 'environment') {
      const authorityHost = this.endpoints().authorityHost;
      // @azure/identity (with MSAL, ~400 KiB) loads at the first token request, not at activation.
      let credential: Promise<TokenCredential> | undefined;
      return {
        getToken: async (scopes, options) => {
          credential ??= import('@azure/identity').then(
            ({ EnvironmentCredential }) =>
              new EnvironmentCredential({
                authorityHost,
                disableInstanceDiscovery: !isKnownAuthorityHost(authorityHost),
              }),
          );
          return (await credential).getToken(scopes, options);
        },
      };
    }
    return new VsCodeMicrosoftCredential(() => {
      const tenant = readSettings().azure.tenant;
      // Sent as the `VSCODE_TENANT:` pseudo-scope: one tenant, never a second scope smuggled in.
      return tenant && requireTenant(tenant, `sherpa.${SettingKeys.azureTenant}`);
    });
  }

  /**
   * Sign In to Azure: the tenant (empty = the account's home tenant), then a subscription from a quick
   * pick. Returns the chosen subscription id, or undefined when the user cancelled. `reason`: why the
   * command that asks needs the account — said before anything is asked.
   */
  async signIn(reason: string = WHY_AZURE_SIGN_IN): Promise<string | undefined> {
    const current = readSettings().azure;
    if (current.signIn === 'vscode') {
      const tenant = await this.ui.input({
        title: vscode.l10n.t('Sherpa: Sign In to Azure (1/2)'),
        prompt: vscode.l10n.t(
          "{0} Entra tenant (id or domain); leave empty for your account's home tenant.",
          reason,
        ),
        value: current.tenant ?? '',
        ignoreFocusOut: true,
      });
      if (tenant === undefined) return undefined;
      if (tenant.trim()) requireTenant(tenant.trim(), 'The tenant');
      await this.update(SettingKeys.azureTenant, tenant.trim() || undefined);
    }
    const { listSubscriptions } = await import('../../core/azure/subscriptions');
    const subscriptions = await this.ui.progress(vscode.l10n.t('listing your Azure subscriptions…'), () =>
      listSubscriptions(this.credential(), this.endpoints()),
    );
    if (!subscriptions.length) {
      throw new ExtensionError('NO_SESSION', 'The signed-in account sees no subscription', {
        hint: 'Pick another tenant, or ask for a role (Reader at least) on a subscription.',
      });
    }
    const picked = await this.ui.pick(
      subscriptions.map((s) => ({
        // Names come from Resource Manager: shown as text, never as $(icons) or links.
        label: toQuickPickText(s.displayName),
        description: toQuickPickText(s.subscriptionId),
        detail: toQuickPickText(vscode.l10n.t('tenant {0} · {1}', s.tenantId, s.state)),
        id: s.subscriptionId,
      })),
      { title: vscode.l10n.t('Sherpa: Sign In to Azure (2/2) — subscription'), ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    await this.update(
      SettingKeys.azureSubscriptionId,
      requireGuid(picked.id, 'The subscription id Resource Manager listed'),
    );
    return picked.id;
  }

  /**
   * The context for a command; asks for whatever is not chosen yet, saying first why (`reason`).
   * Undefined = cancelled.
   */
  async context(reason?: string): Promise<AzureContext | undefined> {
    let { subscriptionId, resourceGroup } = readSettings().azure;
    if (subscriptionId) requireGuid(subscriptionId, `sherpa.${SettingKeys.azureSubscriptionId}`);
    if (resourceGroup) requireResourceGroupName(resourceGroup, `sherpa.${SettingKeys.azureResourceGroup}`);
    if (!subscriptionId) subscriptionId = await this.signIn(reason);
    if (!subscriptionId) return undefined;
    if (!resourceGroup) {
      const { listResourceGroups } = await import('../../core/azure/subscriptions');
      const groups = await listResourceGroups(this.credential(), this.endpoints(), subscriptionId);
      const picked = await this.ui.pick(
        groups
          .sort((a, b) => Number(!!b.tags?.['azd-env-name']) - Number(!!a.tags?.['azd-env-name']))
          .map((g) => ({
            label: toQuickPickText(g.name),
            description: toQuickPickText(
              g.tags?.['azd-env-name']
                ? vscode.l10n.t('azd environment {0}', g.tags['azd-env-name'])
                : g.location,
            ),
            name: g.name,
          })),
        { title: vscode.l10n.t('Sherpa: resource group of the deployment'), ignoreFocusOut: true },
      );
      if (!picked) return undefined;
      resourceGroup = requireResourceGroupName(
        picked.name ?? '',
        'The resource group Resource Manager listed',
      );
      await this.update(SettingKeys.azureResourceGroup, resourceGroup);
    }
    return { credential: this.credential(), endpoints: this.endpoints(), subscriptionId, resourceGroup };
  }

  /**
   * Writes a setting to the person's user settings. Every `sherpa.azure.*` setting (and the server URLs) is
   * declared `"scope": "machine"` in package.json — a cloned repository's workspace settings must not
   * choose where Sherpa sends credentials — so VS Code refuses to write them to a workspace, and the ids of
   * a deployment live with the person, not with the repository.
   */
  async update(key: string, value: string | undefined): Promise<void> {
    await vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .update(key, value, vscode.ConfigurationTarget.Global);
  }
}
