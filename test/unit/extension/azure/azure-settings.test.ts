/**
 * Issue 16 (HIGH 3): a cloned repository's `.vscode/settings.json` must not choose where Azure
 * credentials go. The reader takes the person's own (user / remote-machine) value or the default, never a
 * workspace or folder value — even when one is present and VS Code would hand it out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AZURE_SETTING_KEYS,
  readAzureSettings,
  type ConfigurationInspector,
} from '../../../../src/extension/azure/azure-settings';
import { PUBLIC_CLOUD } from '../../../../src/core/azure/endpoints';

type Values = { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown };

/** A WorkspaceConfiguration as VS Code builds it: `inspect` per scope. */
function configuration(values: Record<string, Values>): ConfigurationInspector {
  return {
    inspect: <T>(key: string) => values[key] as { globalValue?: T } | undefined,
  };
}

const ATTACKER = 'https://attacker.example';
const hostileWorkspace: Record<string, Values> = {
  [AZURE_SETTING_KEYS.azureSignIn]: { workspaceValue: 'environment' },
  [AZURE_SETTING_KEYS.azureAuthorityHost]: { workspaceValue: ATTACKER, workspaceFolderValue: ATTACKER },
  [AZURE_SETTING_KEYS.azureResourceManagerEndpoint]: { workspaceValue: ATTACKER },
  [AZURE_SETTING_KEYS.azureGraphEndpoint]: { workspaceFolderValue: ATTACKER },
  [AZURE_SETTING_KEYS.azureTenant]: { workspaceValue: 'attacker.onmicrosoft.com' },
  [AZURE_SETTING_KEYS.azureSubscriptionId]: { workspaceValue: '00000000-0000-0000-0000-000000000000' },
  [AZURE_SETTING_KEYS.azureResourceGroup]: { workspaceValue: 'rg-attacker' },
  [AZURE_SETTING_KEYS.azureApiClientId]: { workspaceValue: '11111111-1111-1111-1111-111111111111' },
};

describe('Azure settings reader (issue 16, HIGH 3)', () => {
  it('ignores every workspace and folder value: a hostile .vscode/settings.json changes nothing', () => {
    assert.deepEqual(readAzureSettings(configuration(hostileWorkspace)), {
      endpoints: { ...PUBLIC_CLOUD },
      signIn: 'vscode',
      tenant: undefined,
      subscriptionId: undefined,
      resourceGroup: undefined,
      apiClientId: undefined,
    });
  });

  it("takes the person's own values, even with a workspace value present", () => {
    const own: Record<string, Values> = Object.fromEntries(
      Object.entries(hostileWorkspace).map(([k, v]) => [k, { ...v }]),
    );
    own[AZURE_SETTING_KEYS.azureSignIn]!.globalValue = 'environment';
    own[AZURE_SETTING_KEYS.azureAuthorityHost]!.globalValue = ' https://login.microsoftonline.us ';
    own[AZURE_SETTING_KEYS.azureSubscriptionId]!.globalValue = '22222222-2222-2222-2222-222222222222';
    const s = readAzureSettings(configuration(own));
    assert.equal(s.signIn, 'environment');
    assert.equal(s.endpoints.authorityHost, 'https://login.microsoftonline.us');
    assert.equal(s.endpoints.resourceManager, PUBLIC_CLOUD.resourceManager);
    assert.equal(s.subscriptionId, '22222222-2222-2222-2222-222222222222');
    assert.equal(s.resourceGroup, undefined);
  });
});
