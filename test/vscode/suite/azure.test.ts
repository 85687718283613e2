/**
 * The Azure commands inside a real extension host: Verify Deployment against the lab the extension
 * starts, and against the Azure stand-in (test/support/azure) with the real SDK clients, signing in
 * through `sherpa.azure.signIn: environment` (@azure/identity's AZURE_* variables). The view's nodes and
 * the Markdown export are what a person sees. The stand-in's certificate is trusted for this process
 * with tls.setDefaultCACertificates (Node ≥ 22.15: the extension host's Node).
 */
import * as assert from 'node:assert/strict';
import tls from 'node:tls';
import * as vscode from 'vscode';
import type { VerifyReport } from '../../../src/core/azure/verify-deployment';
import type { LabInfo } from '../../../src/lab/lab';
import { startAzureTestServer, type AzureTestServer } from '../../support/azure/index';
import { getApi, setSetting } from './helpers';

const AZURE_SETTINGS = [
  'azure.signIn',
  'azure.resourceManagerEndpoint',
  'azure.graphEndpoint',
  'azure.authorityHost',
  'azure.subscriptionId',
  'azure.resourceGroup',
];
const ENV_KEYS = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST'];

suite('Azure: Verify Deployment (view + export) against the lab and the Azure stand-in', function () {
  this.timeout(120_000);
  let lab: LabInfo | undefined;
  let azure: AzureTestServer | undefined;
  const savedEnv: Record<string, string | undefined> = {};

  suiteSetup(async () => {
    await getApi();
    for (const k of ['lab.authorizationServerPort', 'lab.vulnerablePort', 'lab.securePort'])
      await setSetting(k, 0);
    lab = await vscode.commands.executeCommand<LabInfo | undefined>('sherpa.lab.start');
    assert.ok(lab, 'the lab started');
    azure = await startAzureTestServer();
    const t = tls as unknown as {
      setDefaultCACertificates?: (certs: string[]) => void;
      getCACertificates?: (type: string) => string[];
    };
    assert.ok(t.setDefaultCACertificates && t.getCACertificates, 'the extension host runs Node ≥ 22.15');
    t.setDefaultCACertificates([...t.getCACertificates('default'), azure.caPem]);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('sherpa.lab.stop');
    await azure?.close();
    for (const k of [
      'lab.authorizationServerPort',
      'lab.vulnerablePort',
      'lab.securePort',
      ...AZURE_SETTINGS,
    ])
      await setSetting(k, undefined);
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
  });

  test('Verify Deployment on the local lab: the live probes run for real and fill the view', async () => {
    const api = await getApi();
    const report = await vscode.commands.executeCommand<VerifyReport | undefined>(
      'sherpa.azure.verify',
      'lab',
    );
    assert.ok(report, 'a report');
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    assert.equal(byId['probe-no-token'], 'pass');
    assert.equal(byId['prm-resource'], 'pass');
    assert.equal(byId['probe-tampered-token'], 'pass');
    assert.equal(byId['vault-secrets'], 'skip', 'Azure-only checks are skipped on the lab, and say so');
    const nodes = api.verifyView.getChildren();
    assert.equal(nodes.length, report.checks.length);
    const noToken = nodes.find((n) => n.check.id === 'probe-no-token')!;
    assert.equal((noToken.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.match(String(noToken.description), /^401, WWW-Authenticate: Bearer/);
    const md = await vscode.commands.executeCommand<string>('sherpa.azure.exportVerifyReport');
    assert.match(md, /^# Sherpa: Verify Deployment/);
    assert.match(md, /\| ✔ pass \| No token → 401 with resource_metadata/);
  });

  test('Verify Deployment on Azure (stand-in): real SDK clients, all green; a shared identity turns one node red', async () => {
    const api = await getApi();
    const s = azure!.seed({ secureUrl: lab!.secure, issuer: lab!.issuer, apiClientId: lab!.clientId });
    const env = azure!.cliEnv();
    for (const k of ENV_KEYS) {
      savedEnv[k] = process.env[k];
      process.env[k] = env[k];
    }
    await setSetting('azure.signIn', 'environment');
    await setSetting('azure.resourceManagerEndpoint', azure!.endpoints.resourceManager);
    await setSetting('azure.graphEndpoint', azure!.endpoints.graph);
    await setSetting('azure.authorityHost', azure!.endpoints.authorityHost);
    await setSetting('azure.subscriptionId', s.subscriptionId);
    await setSetting('azure.resourceGroup', s.resourceGroup);

    const green = await vscode.commands.executeCommand<VerifyReport | undefined>(
      'sherpa.azure.verify',
      'azure',
    );
    assert.ok(green, 'a report (see the Sherpa log if not)');
    const failed = green.checks.filter((c) => c.status === 'fail');
    assert.deepEqual(
      failed.map((c) => c.id),
      [],
      failed.map((c) => `${c.id}: ${c.evidence}`).join('\n'),
    );
    assert.equal(green.checks.find((c) => c.id === 'secure-vault-role')?.status, 'pass');

    azure!.defect('shared-identity');
    const red = await vscode.commands.executeCommand<VerifyReport | undefined>(
      'sherpa.azure.verify',
      'azure',
    );
    assert.deepEqual(
      red!.checks.filter((c) => c.status === 'fail').map((c) => c.id),
      ['vulnerable-no-vault-access'],
    );
    const node = api.verifyView.getChildren().find((n) => n.check.id === 'vulnerable-no-vault-access')!;
    assert.equal((node.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match((node.tooltip as vscode.MarkdownString).value, /Remedy/);
  });
});
