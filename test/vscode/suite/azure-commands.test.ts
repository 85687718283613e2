/**
 * The Azure commands' UI paths inside a real extension host: Sign In to Azure, Register Entra App,
 * Configure Secure Server and Migrate Secrets to Key Vault, each run as the palette runs it
 * (executeCommand), against the Azure stand-in (test/support/azure) with the real SDK clients. Only the
 * answers to quick picks and input boxes come from a script (scripted-azure-ui.ts, through AzureSession's
 * test-only seam); what was asked, the progress shown, the notifications, the settings written and what
 * the stand-in received are what each test reads.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import * as vscode from 'vscode';
import type { ConfigureResult } from '../../../src/core/azure/configure-app';
import type { MigrateSecretsResult } from '../../../src/core/azure/migrate-secrets';
import type { RegisterAppResult } from '../../../src/core/azure/register-app';
import { ROLE, startAzureTestServer } from '../../support/azure/index';
import {
  clearSetting,
  putSetting,
  readSetting,
  useAzureStandIn,
  type AzureStandInSession,
} from './azure-stand-in';
import { getApi } from './helpers';

const SECURE_URL = 'https://ca-secure-abc123.example-env.eastus.azurecontainerapps.io/mcp';
const ISSUER = 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0';
const URL_PROMPT = "Sherpa: Register Entra App — The secure server's public MCP URL (https://…/mcp)";

suite('Azure commands: quick picks, input boxes, progress and notifications (Azure stand-in)', function () {
  this.timeout(120_000);
  let x: AzureStandInSession;
  /** The typed secret value and the generated one: neither may be shown or logged. */
  const secretValues: string[] = [];

  suiteSetup(async () => {
    x = await useAzureStandIn();
  });
  suiteTeardown(async () => {
    await x?.restore();
  });

  test('Sign In to Azure (vscode accounts): Escape on the tenant box stops before any Azure call', async () => {
    await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    await putSetting('azure.signIn', 'vscode');
    try {
      const mark = x.azure.requests.length;
      x.ui.script({ escape: true });
      const id = await vscode.commands.executeCommand<string | undefined>('sherpa.azure.signIn');
      assert.equal(id, undefined);
      assert.deepEqual(
        x.ui.prompts.map((p) => p.title),
        [
          "Sherpa: Sign In to Azure (1/2) — Sherpa uses your Azure account to list your subscriptions and to read or change the Sherpa deployment in the one you pick. Entra tenant (id or domain); leave empty for your account's home tenant.",
        ],
      );
      assert.equal(x.azure.requests.length, mark, 'no token request, no Resource Manager call');
    } finally {
      await putSetting('azure.signIn', 'environment');
    }
  });

  test('a command that needs the account says why before the tenant; Escape there or on a pick ends quietly', async () => {
    await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    await clearSetting('azure.subscriptionId');
    await clearSetting('azure.resourceGroup');
    await putSetting('azure.signIn', 'vscode');
    try {
      x.ui.script({ escape: true });
      assert.equal(await vscode.commands.executeCommand('sherpa.azure.verify', 'azure'), undefined);
      assert.equal(x.ui.prompts.length, 1);
      assert.match(
        x.ui.prompts[0]!.title,
        /^Sherpa: Sign In to Azure \(1\/2\) — Verify Deployment reads the deployment in your Azure subscription \(it changes nothing\), so it needs your Azure account\. Entra tenant/,
      );
      assert.deepEqual(x.ui.notifications, [], 'Escape is not an error');
    } finally {
      await putSetting('azure.signIn', 'environment');
    }
    // Escape on the subscription pick, and on the resource group pick: no notification either.
    x.ui.script({ escape: true });
    assert.equal(await vscode.commands.executeCommand('sherpa.azure.configure'), undefined);
    assert.deepEqual(
      x.ui.prompts.map((p) => p.title),
      ['Sherpa: Sign In to Azure (2/2) — subscription'],
    );
    assert.deepEqual(x.ui.notifications, []);
    x.ui.script({ pick: 'Sherpa Test Subscription' }, { escape: true });
    assert.equal(await vscode.commands.executeCommand('sherpa.azure.migrateSecrets'), undefined);
    assert.deepEqual(
      x.ui.prompts.map((p) => p.title),
      ['Sherpa: Sign In to Azure (2/2) — subscription', 'Sherpa: resource group of the deployment'],
    );
    assert.deepEqual(x.ui.notifications, []);
    assert.deepEqual(x.ui.unanswered, []);
    await clearSetting('azure.subscriptionId');
  });

  test('Sign In to Azure: subscriptions listed from Resource Manager, the picked one saved', async () => {
    const s = await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    await clearSetting('azure.subscriptionId');
    x.ui.script({ pick: 'Sherpa Test Subscription' });
    const id = await vscode.commands.executeCommand<string | undefined>('sherpa.azure.signIn');
    assert.equal(id, s.subscriptionId, x.ui.notifications.map((n) => n.message).join('\n'));
    assert.deepEqual(x.ui.progressTitles, ['listing your Azure subscriptions…']);
    assert.deepEqual(x.ui.prompts, [
      {
        kind: 'pick',
        title: 'Sherpa: Sign In to Azure (2/2) — subscription',
        items: [`Sherpa Test Subscription — ${s.subscriptionId}`],
        password: false,
        rejected: [],
      },
    ]);
    assert.ok(
      x.azure.requests.some((r) => r.service === 'arm' && r.method === 'GET' && r.path === '/subscriptions'),
    );
    assert.equal(readSetting('azure.subscriptionId'), s.subscriptionId);
    assert.deepEqual(x.ui.notifications, [
      { kind: 'info', message: `Sherpa: signed in to Azure, subscription ${s.subscriptionId}.` },
    ]);
  });

  test('Register Entra App twice → one app; the URL box refuses http; the client id is saved', async () => {
    await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER, registered: false });
    x.ui.script({ type: ['http://ca-secure.example/mcp', SECURE_URL] });
    const first = await vscode.commands.executeCommand<RegisterAppResult | undefined>(
      'sherpa.azure.registerApp',
    );
    assert.ok(first, x.ui.notifications.map((n) => n.message).join('\n'));
    assert.equal(first.created, true);
    assert.equal(x.ui.prompts[0]!.title, URL_PROMPT);
    assert.deepEqual(x.ui.prompts[0]!.rejected, [
      { value: 'http://ca-secure.example/mcp', message: 'an https URL ending in the MCP path' },
    ]);
    assert.deepEqual(x.ui.progressTitles, ['registering the Entra app…']);
    assert.ok(x.ui.progressMessages.includes('creating app registration sherpa-ca-secure-abc123'));
    assert.match(x.ui.notifications[0]!.message, /^Sherpa: app [0-9a-f-]{36} registered\. Next: Configure/);
    assert.equal(readSetting('azure.apiClientId'), first.appId);

    x.ui.script({ type: [SECURE_URL] });
    const second = await vscode.commands.executeCommand<RegisterAppResult | undefined>(
      'sherpa.azure.registerApp',
    );
    assert.equal(second?.created, false);
    assert.equal(second.appId, first.appId);
    assert.equal(x.azure.state.applications.length, 1, 'never duplicated');
    assert.equal(x.azure.state.servicePrincipals.length, 1);
    assert.deepEqual(x.ui.notifications, [
      {
        kind: 'info',
        message: `Sherpa: app ${first.appId} already up to date. Next: Configure Secure Server.`,
      },
    ]);
  });

  test('Register Entra App: Entra refusing the URL identifier URI → a warning naming the api:// fallback', async () => {
    const s = await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER, registered: false });
    s.refuseUrlIdentifierUris = true;
    x.ui.script({ type: [SECURE_URL] });
    const r = await vscode.commands.executeCommand<RegisterAppResult | undefined>('sherpa.azure.registerApp');
    assert.equal(r?.identifierUri.outcome, 'refused');
    assert.deepEqual(s.applications[0]!.identifierUris, [`api://${r.appId}`]);
    assert.equal(x.ui.notifications.length, 1);
    const w = x.ui.notifications[0]!;
    assert.equal(w.kind, 'warning');
    assert.match(w.message, new RegExp(`^Sherpa: app ${r.appId} registered, but Entra refused `));
    assert.match(w.message, /HostNameNotOnVerifiedDomain/);
    assert.ok(
      w.message.endsWith(
        `Fallback: api://${r.appId} only; Configure will advertise api://${r.appId}/access_as_user.`,
      ),
      w.message,
    );
  });

  test('Configure Secure Server: resource group picked, client id typed, the LRO polled, the revision state shown', async () => {
    const s = await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    const secure = s.apps[0]!;
    const apiClientId = s.applications[0]!.appId;
    secure.env = secure.env.filter((e) => e.name !== 'SHERPA_API_CLIENT_ID');
    await putSetting('azure.subscriptionId', s.subscriptionId);
    await clearSetting('azure.resourceGroup');
    await clearSetting('azure.apiClientId');
    const mark = x.azure.requests.length;
    x.ui.script({ pick: s.resourceGroup }, { type: ['not-a-guid', apiClientId] });
    const r = await vscode.commands.executeCommand<ConfigureResult | undefined>('sherpa.azure.configure');
    assert.ok(r, x.ui.notifications.map((n) => n.message).join('\n'));
    assert.deepEqual(
      x.ui.prompts.map((p) => [p.kind, p.title, p.items, p.rejected.map((q) => q.message)]),
      [
        [
          'pick',
          'Sherpa: resource group of the deployment',
          [`${s.resourceGroup} — azd environment sherpa-test`],
          [],
        ],
        [
          'input',
          "Sherpa: Configure Secure Server — The API app registration's client id (Register Entra App prints it)",
          [],
          ['a GUID'],
        ],
      ],
    );
    assert.equal(readSetting('azure.resourceGroup'), s.resourceGroup, 'the picked group is remembered');
    assert.deepEqual(x.ui.progressTitles, ['configuring the secure app (new revision)…']);
    assert.ok(
      x.ui.progressMessages.some((m) => /^updating ca-secure-abc123: SHERPA_API_CLIENT_ID/.test(m)),
      x.ui.progressMessages.join('\n'),
    );
    const arm = x.azure.requests.slice(mark).filter((q) => q.service === 'arm');
    assert.equal(arm.find((q) => q.method === 'PATCH')?.status, 202, 'a long-running PATCH');
    assert.ok(
      arm.some((q) => /containerappOperationStatuses/.test(q.path) && q.status === 200),
      'polled',
    );
    assert.equal(secure.revision, 2);
    assert.equal(secure.env.find((e) => e.name === 'SHERPA_API_CLIENT_ID')?.value, apiClientId);
    assert.deepEqual(x.ui.notifications, [
      {
        kind: 'info',
        message:
          'Sherpa: ca-secure-abc123 updated (SHERPA_API_CLIENT_ID). Revision ca-secure-abc123--0000002: Provisioned, Running, Healthy.',
      },
    ]);
  });

  test('Migrate Secrets: one value typed in a password box, one generated; RBAC retried; the grant removed', async () => {
    const s = await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    s.vault.secrets.clear();
    // The stand-in counts data-plane requests: the first authorised write is refused (403 ForbiddenByRbac),
    // the retry after the command's 5 s wait succeeds.
    s.rbacPropagationRequests = 2;
    await putSetting('azure.subscriptionId', s.subscriptionId);
    await putSetting('azure.resourceGroup', s.resourceGroup);
    const typed = `typed-${randomBytes(12).toString('hex')}`;
    const mark = x.azure.requests.length;
    x.ui.script({ pick: 'Enter a value…' }, { type: ['', typed] }, { pick: 'Generate a random value' });
    const r = await vscode.commands.executeCommand<MigrateSecretsResult | undefined>(
      'sherpa.azure.migrateSecrets',
    );
    assert.ok(r, x.ui.notifications.map((n) => n.message).join('\n'));
    assert.deepEqual(
      x.ui.prompts.map((p) => [p.kind, p.title, p.password]),
      [
        ['pick', 'Sherpa: value for demo-api-key', false],
        ['input', 'Sherpa: value for demo-api-key', true],
        ['pick', 'Sherpa: value for external-service-secret', false],
      ],
    );
    assert.deepEqual(x.ui.prompts[1]!.rejected, [{ value: '', message: 'a value' }]);
    assert.equal(s.vault.secrets.get('demo-api-key')?.value, typed);
    const generated = s.vault.secrets.get('external-service-secret')?.value ?? '';
    assert.ok(generated.length >= 40, 'generated: 32 random bytes, base64url');
    secretValues.push(typed, generated);

    assert.ok(r.firstWriteAttempts > 1, 'the first write was refused while the grant propagated');
    assert.ok(x.ui.progressMessages.some((m) => /waiting for the role to propagate \(attempt 1\/24/.test(m)));
    assert.ok(!s.roleAssignments.some((a) => a.principalId === s.caller.objectId), 'no grant left behind');
    const ra = x.azure.requests
      .slice(mark)
      .filter((q) => q.path.includes('roleAssignments') && q.method !== 'GET');
    assert.deepEqual(
      ra.map((q) => `${q.method} ${q.status}`),
      ['PUT 201', 'DELETE 200'],
    );
    assert.match(JSON.stringify(ra[0]!.body), new RegExp(ROLE.keyVaultSecretsOfficer));
    assert.deepEqual(x.ui.notifications, [
      {
        kind: 'info',
        message: `Sherpa: wrote demo-api-key, external-service-secret to ${s.vault.name} (after ${r.firstWriteAttempts} attempts while RBAC propagated); temporary grant removed.`,
      },
    ]);
    for (const v of secretValues) assert.ok(!x.ui.shownText().includes(v), 'a value was shown');
  });

  test('issue 16 (MEDIUM 5): Cancel during Migrate Secrets stops it and deletes the temporary grant', async () => {
    const s = await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    s.rbacPropagationRequests = 100_000; // never effective: the run waits until cancelled
    await putSetting('azure.subscriptionId', s.subscriptionId);
    await putSetting('azure.resourceGroup', s.resourceGroup);
    const officer = () =>
      s.roleAssignments.filter(
        (a) => a.principalId === s.caller.objectId && a.roleGuid === ROLE.keyVaultSecretsOfficer,
      );
    x.ui.script({ pick: 'Generate a random value' }, { pick: 'Generate a random value' });
    x.ui.cancelOn = /waiting for the role to propagate/;
    const mark = x.azure.requests.length;
    const started = Date.now();
    const r = await vscode.commands.executeCommand<MigrateSecretsResult | undefined>(
      'sherpa.azure.migrateSecrets',
    );
    assert.equal(r, undefined);
    assert.ok(Date.now() - started < 4000, 'Cancel ends the 5 s propagation wait at once');
    const ra = x.azure.requests
      .slice(mark)
      .filter((q) => q.path.includes('roleAssignments') && q.method !== 'GET');
    assert.deepEqual(
      ra.map((q) => `${q.method} ${q.status}`),
      ['PUT 201', 'DELETE 200'],
      'granted, then deleted after Cancel',
    );
    assert.ok(
      x.azure.requests.slice(mark).some((q) => q.service === 'vault' && q.status === 403),
      'cancelled while the grant propagated',
    );
    assert.deepEqual(officer(), [], 'deleted on Cancel');
    assert.deepEqual(x.ui.notifications, [
      { kind: 'info', message: 'Sherpa: Migrate Secrets was cancelled; the temporary grant was removed.' },
    ]);
  });

  test("issue 16 (HIGH 3): a cloned repository's .vscode/settings.json cannot send AZURE_CLIENT_SECRET to its host", async () => {
    const s = await x.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    await clearSetting('azure.subscriptionId');
    // The attacker's host: another Azure-shaped stand-in, its certificate trusted too, so a request
    // would reach it and be recorded (a refused TLS handshake would hide the leak).
    const attacker = await startAzureTestServer();
    attacker.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    const t = tls as unknown as {
      setDefaultCACertificates(certs: string[]): void;
      getCACertificates(type: string): string[];
    };
    const savedCa = t.getCACertificates('default');
    t.setDefaultCACertificates([...savedCa, attacker.caPem]);
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const file = vscode.Uri.joinPath(folder, '.vscode', 'settings.json');
    const previous = await Promise.resolve(vscode.workspace.fs.readFile(file)).catch(() => undefined);
    try {
      await vscode.workspace.fs.writeFile(
        file,
        new TextEncoder().encode(
          JSON.stringify({
            'sherpa.azure.signIn': 'environment',
            'sherpa.azure.authorityHost': attacker.endpoints.authorityHost,
            'sherpa.azure.resourceManagerEndpoint': attacker.endpoints.resourceManager,
            'sherpa.azure.graphEndpoint': attacker.endpoints.graph,
            'sherpa.azure.subscriptionId': attacker.state.subscriptionId,
            // Not restricted: shows when VS Code has read the file.
            'sherpa.signIn.browser': 'remote',
          }),
        ),
      );
      for (let i = 0; i < 100; i++) {
        if (
          vscode.workspace.getConfiguration('sherpa').inspect('signIn.browser')?.workspaceValue === 'remote'
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(
        vscode.workspace.getConfiguration('sherpa').inspect('signIn.browser')?.workspaceValue,
        'remote',
      );
      x.ui.script({ pick: 'Sherpa Test Subscription' });
      const mark = x.azure.requests.length;
      const id = await vscode.commands.executeCommand<string | undefined>('sherpa.azure.signIn');
      assert.deepEqual(
        attacker.requests.map((r) => `${r.service} ${r.method} ${r.path}`),
        [],
        'the attacker host received nothing',
      );
      assert.equal(id, s.subscriptionId, x.ui.notifications.map((n) => n.message).join('\n'));
      assert.ok(
        x.azure.requests.slice(mark).some((r) => r.service === 'login'),
        "the client secret went to the person's own authority host",
      );
    } finally {
      if (previous) await vscode.workspace.fs.writeFile(file, previous);
      else await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
      t.setDefaultCACertificates(savedCa);
      await attacker.close();
      await clearSetting('azure.subscriptionId');
    }
  });

  test('no secret value reached the Sherpa output channel', async () => {
    assert.equal(secretValues.length, 2, 'runs after the Migrate test');
    const api = await getApi();
    // The channel's file is written asynchronously: register once more (it logs a line) and wait for that
    // line, so everything the Migrate run could have logged is on disk before it is read.
    x.ui.script({ type: [SECURE_URL] });
    const marker = await vscode.commands.executeCommand<RegisterAppResult | undefined>(
      'sherpa.azure.registerApp',
    );
    assert.ok(marker, x.ui.notifications.map((n) => n.message).join('\n'));
    const line = `[register] ${marker.created ? 'created' : 'found'} ${marker.uniqueName} appId ${marker.appId}`;
    let log = '';
    for (let i = 0; i < 50 && !log.includes(line); i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = await vscode.workspace.fs.readFile(api.logFile).then(
        (b) => new TextDecoder().decode(b),
        () => '',
      );
    }
    assert.ok(log.includes(line), `the marker line is in ${api.logFile.toString()}`);
    for (const v of secretValues) assert.ok(!log.includes(v), 'a secret value is in the log');
  });
});
