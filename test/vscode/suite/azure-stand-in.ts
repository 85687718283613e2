/**
 * Set-up shared by the Azure extension suites: the Azure-shaped https stand-in (test/support/azure) with
 * its certificate trusted by this extension host, `sherpa.azure.signIn: environment` (@azure/identity's
 * EnvironmentCredential reads the AZURE_* variables the stand-in issues a client secret for), the
 * endpoint settings pointing the real SDK clients at it, and the scripted UI installed through
 * AzureSession's test-only seam. `restore()` puts the environment, the settings and the real UI back.
 */
import * as assert from 'node:assert/strict';
import tls from 'node:tls';
import * as vscode from 'vscode';
import { vscodeAzureUi } from '../../../src/extension/azure/azure-ui';
import { startAzureTestServer, type AzureState, type AzureTestServer } from '../../support/azure/index';
import { getApi } from './helpers';
import { ScriptedAzureUi } from './scripted-azure-ui';

const ENV_KEYS = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST'];

/** Every setting the Azure commands read or write. */
export const AZURE_SETTINGS = [
  'azure.signIn',
  'azure.tenant',
  'azure.resourceManagerEndpoint',
  'azure.graphEndpoint',
  'azure.authorityHost',
  'azure.subscriptionId',
  'azure.resourceGroup',
  'azure.apiClientId',
  'secureServer.url',
  'vulnerableServer.url',
];

/** Removes a setting from user AND workspace settings (AzureSession writes to the workspace). */
export async function clearSetting(key: string): Promise<void> {
  const c = vscode.workspace.getConfiguration('sherpa');
  await c.update(key, undefined, vscode.ConfigurationTarget.Global);
  // Only where a value is: VS Code refuses workspace writes of machine-scoped settings (the server URLs).
  if (c.inspect(key)?.workspaceValue !== undefined)
    await c.update(key, undefined, vscode.ConfigurationTarget.Workspace);
}

/** Sets a setting in user settings only, so no workspace value (written by a command) overrides it. */
export async function putSetting(key: string, value: unknown): Promise<void> {
  await clearSetting(key);
  await vscode.workspace.getConfiguration('sherpa').update(key, value, vscode.ConfigurationTarget.Global);
}

export const readSetting = (key: string): unknown => vscode.workspace.getConfiguration('sherpa').get(key);

export interface AzureStandInSession {
  azure: AzureTestServer;
  ui: ScriptedAzureUi;
  /** (Re)seeds the stand-in and signs this host's credential in to the new tenant. */
  seed(o: Parameters<AzureTestServer['seed']>[0]): Promise<AzureState>;
  restore(): Promise<void>;
}

export async function useAzureStandIn(): Promise<AzureStandInSession> {
  const api = await getApi();
  const azure = await startAzureTestServer();
  const t = tls as unknown as {
    setDefaultCACertificates?: (certs: string[]) => void;
    getCACertificates?: (type: string) => string[];
  };
  assert.ok(t.setDefaultCACertificates && t.getCACertificates, 'the extension host runs Node ≥ 22.15');
  const savedCa = t.getCACertificates('default');
  t.setDefaultCACertificates([...savedCa, azure.caPem]);
  const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  // Progress and notifications go to the real vscode.window UI; only the prompts are scripted.
  const ui = new ScriptedAzureUi(vscodeAzureUi);
  const restoreUi = api.setTestHooks({ azureUi: ui });

  await putSetting('azure.signIn', 'environment');
  await putSetting('azure.resourceManagerEndpoint', azure.endpoints.resourceManager);
  await putSetting('azure.graphEndpoint', azure.endpoints.graph);
  await putSetting('azure.authorityHost', azure.endpoints.authorityHost);

  return {
    azure,
    ui,
    async seed(o) {
      const s = azure.seed(o);
      const env = azure.cliEnv();
      for (const k of ENV_KEYS) process.env[k] = env[k];
      return s;
    },
    async restore() {
      restoreUi();
      for (const k of ENV_KEYS) {
        if (savedEnv[k] === undefined) delete process.env[k];
        else process.env[k] = savedEnv[k];
      }
      for (const k of AZURE_SETTINGS) await clearSetting(k);
      t.setDefaultCACertificates!(savedCa);
      await azure.close();
    },
  };
}
