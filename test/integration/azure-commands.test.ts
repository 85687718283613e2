/**
 * `sherpa azure register | configure | migrate-secrets` with the real clients (Graph over fetch,
 * @azure/arm-appcontainers LRO, @azure/arm-authorization, @azure/keyvault-secrets) against the Azure
 * stand-in (test/support/azure). No live server is needed: none of these commands calls the MCP server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAzureTestServer, ROLE, type AzureTestServer } from '../support/azure/index';
import { runSherpa } from '../support/azure/run-cli';
import { spawnCli } from '../support/lab';
import { createStandIns } from '../support/azure/stand-in-tools';

const SECURE_URL = 'https://ca-secure-abc123.example-env.eastus.azurecontainerapps.io/mcp';
const ISSUER = 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0';
let azure: AzureTestServer;

before(async () => {
  azure = await startAzureTestServer();
});
after(() => azure?.close());

const sub = () => [
  '--subscription',
  azure.state.subscriptionId,
  '--resource-group',
  azure.state.resourceGroup,
];
const graphCalls = (from: number) => azure.requests.slice(from).filter((r) => r.service === 'graph');

describe('sherpa azure register (Microsoft Graph)', () => {
  it('registers once; a second run finds the same app and changes nothing', async () => {
    azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER, registered: false });
    const mark = azure.requests.length;
    const first = await runSherpa(['azure', 'register', '--secure-url', SECURE_URL], azure.cliEnv());
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Created app registration sherpa-ca-secure-abc123: appId [0-9a-f-]{36}$/m);
    assert.equal(azure.state.applications.length, 1);
    const app = azure.state.applications[0]!;
    assert.deepEqual(app.identifierUris, [`api://${app.appId}`, SECURE_URL]);
    assert.equal(app.api.requestedAccessTokenVersion, 2);
    assert.deepEqual(app.api.preAuthorizedApplications.map((p) => p.appId).sort(), [
      '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
      'aebc6443-996d-45c2-90f0-388ff96faa56',
    ]);
    assert.equal(app.appRoles[0]!.value, 'Sherpa.Admin');
    assert.equal(azure.state.servicePrincipals.length, 1);

    // v2 in its own request, before the URL is offered as an identifier URI in another one.
    const patches = graphCalls(mark).filter(
      (r) => r.method === 'PATCH' && r.path === `/v1.0/applications/${app.id}`,
    );
    assert.deepEqual(patches[0]!.body, { api: { requestedAccessTokenVersion: 2 } });
    assert.deepEqual(patches.at(-1)!.body, { identifierUris: [`api://${app.appId}`, SECURE_URL] });
    const upsert = graphCalls(mark).find((r) => r.method === 'PATCH' && r.path.includes('uniqueName'));
    assert.ok(upsert, 'created by upsert on uniqueName');

    const again = azure.requests.length;
    const second = await runSherpa(['azure', 'register', '--secure-url', SECURE_URL], azure.cliEnv());
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^Found app registration sherpa-ca-secure-abc123/m);
    assert.match(second.stdout, /No drift: nothing to repair/);
    assert.equal(azure.state.applications.length, 1, 'never duplicated');
    assert.equal(azure.state.servicePrincipals.length, 1);
    assert.deepEqual(
      graphCalls(again).filter((r) => r.method !== 'GET'),
      [],
      'a converged registration is only read',
    );
  });

  it('repairs drift (v1 tokens, lost pre-authorisations) without touching the scope id', async () => {
    const app = azure.state.applications[0]!;
    const scopeId = app.api.oauth2PermissionScopes[0]!.id;
    app.api.requestedAccessTokenVersion = null;
    app.api.preAuthorizedApplications = [];
    const r = await runSherpa(['azure', 'register', '--secure-url', SECURE_URL], azure.cliEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Repaired drift: requestedAccessTokenVersion, preAuthorizedApplications/);
    assert.equal(app.api.requestedAccessTokenVersion, 2);
    assert.equal(app.api.oauth2PermissionScopes[0]!.id, scopeId);
    assert.equal(app.api.preAuthorizedApplications.length, 2);
  });

  it('Entra refusing the URL identifier URI is reported and the api:// fallback applied (exit 0)', async () => {
    azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER, registered: false });
    azure.state.refuseUrlIdentifierUris = true;
    const r = await runSherpa(
      ['azure', 'register', '--secure-url', SECURE_URL, '--format', 'json'],
      azure.cliEnv(),
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      appId: string;
      identifierUri: { outcome: string; detail: string };
      scopesSupported: string[];
    };
    assert.equal(out.identifierUri.outcome, 'refused');
    assert.match(out.identifierUri.detail, /HostNameNotOnVerifiedDomain/);
    assert.deepEqual(out.scopesSupported, [`api://${out.appId}/access_as_user`]);
    assert.deepEqual(azure.state.applications[0]!.identifierUris, [`api://${out.appId}`]);
  });
});

describe('sherpa azure configure (Resource Manager PATCH, long-running)', () => {
  it('sets SHERPA_API_CLIENT_ID as a new revision (polled to Succeeded) and shows its state', async () => {
    const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    const secure = s.apps[0]!;
    const apiClientId = s.applications[0]!.appId;
    secure.env = secure.env.filter((e) => e.name !== 'SHERPA_API_CLIENT_ID');
    const mark = azure.requests.length;
    const tools = createStandIns({ tools: ['azd'], azdEnv: {} });
    const r = await runSherpa(['azure', 'configure', ...sub(), '--api-client-id', apiClientId], {
      ...azure.cliEnv(),
      PATH: tools.binDir,
    });
    const azdCalls = tools.calls();
    tools.close();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ca-secure-abc123: set SHERPA_API_CLIENT_ID/);
    // …and into the azd environment, so a later `azd provision` keeps it (main.parameters.json).
    // SHERPA_SCOPES_SUPPORTED too: what the app now advertises (the api:// fallback, or '' = none).
    const scopes = secure.env.find((e) => e.name === 'SHERPA_SCOPES_SUPPORTED')?.value ?? '';
    assert.deepEqual(
      azdCalls.map((c) => c.trimEnd()),
      [
        `azd env set SHERPA_API_CLIENT_ID ${apiClientId}`,
        `azd env set SHERPA_SCOPES_SUPPORTED ${scopes}`.trimEnd(),
      ],
    );
    assert.match(r.stdout, /azd environment: SHERPA_API_CLIENT_ID and SHERPA_SCOPES_SUPPORTED saved/);
    assert.match(r.stdout, /Revision ca-secure-abc123--0000002: Provisioned, Running, Healthy/);
    assert.equal(secure.revision, 2);
    assert.equal(secure.env.find((e) => e.name === 'SHERPA_API_CLIENT_ID')?.value, apiClientId);
    assert.equal(
      secure.image,
      'crsherpaabc123.azurecr.io/sherpa/secure:azd-deploy-1',
      'same image: no rebuild',
    );
    const arm = azure.requests.slice(mark).filter((q) => q.service === 'arm');
    const patch = arm.find((q) => q.method === 'PATCH')!;
    assert.equal(patch.status, 202);
    assert.equal(patch.query.get('api-version'), '2025-07-01');
    assert.ok(
      arm.some((q) => /containerappOperationStatuses/.test(q.path) && q.status === 200),
      'polled Azure-AsyncOperation',
    );
    assert.ok(!r.stdout.includes('camp1_demo_token'));

    const again = await runSherpa(
      ['azure', 'configure', ...sub(), '--api-client-id', apiClientId],
      azure.cliEnv(),
    );
    assert.match(again.stdout, /already configured, no new revision/);
    assert.equal(secure.revision, 2);
  });

  it('repairs a shared client id and applies the scopes fallback when the URL is not an identifier URI', async () => {
    const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    const app = s.applications[0]!;
    app.identifierUris = [`api://${app.appId}`];
    const secure = s.apps[0]!;
    secure.env.find((e) => e.name === 'MANAGED_IDENTITY_CLIENT_ID')!.value = app.appId;
    const r = await runSherpa(['azure', 'configure', ...sub(), '--api-client-id', app.appId], azure.cliEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      secure.env.find((e) => e.name === 'MANAGED_IDENTITY_CLIENT_ID')?.value,
      s.identities[0]!.clientId,
    );
    assert.equal(
      secure.env.find((e) => e.name === 'SHERPA_SCOPES_SUPPORTED')?.value,
      `api://${app.appId}/access_as_user`,
    );
    assert.match(r.stdout, /fallback/);
    // No azd here (PATH holds none): configure still succeeds and says what to run by hand.
    assert.match(
      r.stdout,
      new RegExp(
        `azd environment not updated \\(azd is not on PATH\\): run \`azd env set SHERPA_API_CLIENT_ID ${app.appId}\``,
      ),
    );
  });

  it('issue 16 (HIGH 3): an api client id that is not a GUID is refused before any request (no OData filter, no deployment)', async () => {
    const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    const before = s.apps[0]!.revision;
    const mark = azure.requests.length;
    const r = await runSherpa(
      ['azure', 'configure', ...sub(), '--api-client-id', `${s.applications[0]!.appId}' or appId ne '0`],
      azure.cliEnv(),
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /client id \(sherpa\.azure\.apiClientId \/ --api-client-id\) must be a GUID.*\[BAD_ARGUMENT\]/,
    );
    assert.deepEqual(azure.requests.slice(mark), [], 'no request at all');
    assert.equal(s.apps[0]!.revision, before);
  });

  it('403 from Resource Manager names the missing role', async () => {
    const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    s.armDenied.add(s.caller.objectId);
    const r = await runSherpa(
      ['azure', 'configure', ...sub(), '--api-client-id', s.applications[0]!.appId],
      azure.cliEnv(),
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /lacks the Reader role/);
    assert.match(r.stderr, /AZURE_FORBIDDEN/);
  });
});

describe('sherpa azure migrate-secrets (temporary grant, RBAC propagation)', () => {
  it('retries while the grant propagates, writes both secrets, removes the grant, never prints a value', async () => {
    const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    s.vault.secrets.clear();
    s.rbacPropagationRequests = 4;
    const mark = azure.requests.length;
    const r = await runSherpa(
      ['azure', 'migrate-secrets', ...sub(), '--rbac-retry-delay-ms', '20'],
      azure.cliEnv(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...s.vault.secrets.keys()].sort(), ['demo-api-key', 'external-service-secret']);
    const attempts = Number(/first write succeeded on attempt (\d+)/.exec(r.stdout)?.[1]);
    assert.ok(attempts > 1, r.stdout);
    assert.match(r.stderr, /waiting for the role to propagate \(attempt 1\/24, 403 Forbidden\)/);
    assert.match(r.stdout, /Temporary Secrets Officer grant removed/);
    assert.ok(!s.roleAssignments.some((a) => a.principalId === s.caller.objectId), 'no grant left behind');
    for (const v of s.vault.secrets.values()) {
      assert.ok(v.value.length >= 40, 'generated');
      assert.ok(!r.stdout.includes(v.value) && !r.stderr.includes(v.value), 'never echoed');
    }
    const ra = azure.requests
      .slice(mark)
      .filter((q) => q.path.includes('roleAssignments') && q.method !== 'GET');
    assert.deepEqual(
      ra.map((q) => `${q.method} ${q.status}`),
      ['PUT 201', 'DELETE 200'],
    );
    assert.equal(
      ra[0]!.path.split('/providers/Microsoft.Authorization')[0],
      `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.KeyVault/vaults/${s.vault.name}`,
    );
    assert.match(JSON.stringify(ra[0]!.body), new RegExp(ROLE.keyVaultSecretsOfficer));
    assert.ok(
      azure.requests.slice(mark).some((q) => q.service === 'vault' && q.status === 403 && q.method === 'PUT'),
    );
  });

  it('takes values from stdin (name=value), and still never prints them', async () => {
    const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    const value = 'stdin-supplied-value-6a1f';
    const r = await runSherpa(
      ['azure', 'migrate-secrets', ...sub(), '--from-stdin'],
      azure.cliEnv(),
      `demo-api-key=${value}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.vault.secrets.get('demo-api-key')?.value, value);
    assert.ok(!r.stdout.includes(value) && !r.stderr.includes(value));
  });

  it('gives up after the bounded attempts with a clear code, and still removes the grant', async () => {
    const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
    s.rbacPropagationRequests = 1000;
    const r = await runSherpa(
      ['azure', 'migrate-secrets', ...sub(), '--rbac-retry-delay-ms', '10', '--rbac-max-attempts', '3'],
      azure.cliEnv(),
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AZURE_RBAC_PROPAGATION_TIMEOUT/);
    assert.match(r.stderr, /after 3 attempts/);
    assert.ok(!s.roleAssignments.some((a) => a.principalId === s.caller.objectId));
  });

  describe('issue 16 (MEDIUM 5): the temporary grant does not survive Ctrl-C, SIGTERM or a crash', () => {
    const officerGrants = () =>
      azure.state.roleAssignments.filter(
        (a) => a.principalId === azure.state.caller.objectId && a.roleGuid === ROLE.keyVaultSecretsOfficer,
      );

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${signal} while the grant propagates: the run stops, the grant is deleted, exit 130`, async () => {
        const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
        s.rbacPropagationRequests = 100_000;
        const child = spawnCli(
          [
            'azure',
            'migrate-secrets',
            ...sub(),
            '--rbac-retry-delay-ms',
            '200',
            '--rbac-max-attempts',
            '1000',
          ],
          { ...azure.cliEnv(), NO_COLOR: '1', PATH: '/nonexistent' },
        );
        let stderr = '';
        child.stdin!.end();
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        await new Promise<void>((resolve, reject) => {
          child.stderr!.setEncoding('utf8').on('data', (d: string) => {
            stderr += d;
            if (/waiting for the role to propagate/.test(stderr)) resolve();
          });
          void exited.then(() => reject(new Error(`exited early: ${stderr}`)));
        });
        const [grant] = officerGrants();
        assert.ok(grant, 'the grant exists mid-run');
        assert.match(grant.description ?? '', /^sherpa:temporary-secrets-officer created /, 'marked');
        child.kill(signal);
        const code = await exited;
        assert.equal(code, 130, stderr);
        assert.match(stderr, new RegExp(`${signal}: stopping after removing the temporary grant`));
        assert.match(stderr, /Migrate Secrets was cancelled; the temporary grant was removed/);
        assert.deepEqual(officerGrants(), [], 'no Secrets Officer grant left behind');
        const del = azure.requests.filter(
          (q) => q.method === 'DELETE' && q.path.endsWith(`/roleAssignments/${grant.name}`),
        );
        assert.equal(del.length, 1);
      });
    }

    it('a grant left by a run that died anyway is removed at the next run (not taken for one already held)', async () => {
      const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
      azure.defect('leftover-temporary-grant');
      const stale = officerGrants()[0]!;
      const mark = azure.requests.length;
      const r = await runSherpa(['azure', 'migrate-secrets', ...sub()], azure.cliEnv());
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /Removed 1 temporary grant\(s\) an interrupted run had left on kv-sherpa-abc123/,
      );
      assert.match(r.stdout, /Temporary Secrets Officer grant removed/);
      assert.deepEqual(officerGrants(), []);
      const ra = azure.requests
        .slice(mark)
        .filter((q) => q.path.includes('roleAssignments') && q.method !== 'GET');
      assert.deepEqual(
        ra.map((q) => `${q.method} ${q.status}`),
        ['DELETE 200', 'PUT 201', 'DELETE 200'],
      );
      assert.ok(ra[0]!.path.endsWith(stale.name));
      assert.equal(s.vault.secrets.size, 2);
    });

    it('a Secrets Officer grant the person made themselves (unmarked) is left alone', async () => {
      const s = azure.seed({ secureUrl: SECURE_URL, issuer: ISSUER });
      azure.defect('leftover-temporary-grant');
      delete officerGrants()[0]!.description;
      const r = await runSherpa(['azure', 'migrate-secrets', ...sub()], azure.cliEnv());
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /You already held Secrets Officer on the vault: left as it was/);
      assert.equal(officerGrants().length, 1);
      assert.equal(s.vault.secrets.size, 2);
    });
  });
});
