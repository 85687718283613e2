/**
 * `sherpa azure verify` with the real Azure SDK clients and @azure/identity against the Azure-shaped
 * stand-in (test/support/azure), and live probes against a real lab's secure server. A correct deployment
 * verifies green; each defect is caught by exactly its check.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSecureServer } from '../../src/servers/secure/index';
import { startAzureTestServer, type AzureTestServer, type Defect } from '../support/azure/index';
import { runAzureVerify, runSherpa, type PrintedCheck } from '../support/azure/run-cli';
import { startLabProcess, type LabProcess } from '../support/lab';

let lab: LabProcess;
let azure: AzureTestServer;

before(async () => {
  [lab, azure] = await Promise.all([startLabProcess(), startAzureTestServer()]);
});
after(async () => {
  await Promise.all([lab?.stop(), azure?.close()]);
});

const seed = (secureUrl = lab.secure) =>
  azure.seed({ secureUrl, issuer: lab.issuer, apiClientId: lab.clientId });

/** `sherpa azure verify --format json` against the stand-in; `failed` as check ids. */
async function verify(extra: string[] = []) {
  const r = await runAzureVerify(azure, { extra });
  return { ...r, failed: r.failed.map((c) => c.id) };
}

describe('sherpa azure verify (real SDK clients vs the Azure stand-in, live probes vs the lab)', () => {
  it('a correct deployment verifies green, with evidence for every check', async () => {
    seed();
    const r = await verify();
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    assert.deepEqual(
      r.checks.map((c) => c.id),
      [
        'vault-secrets',
        'vault-rbac-mode',
        'secure-identity',
        'secure-vault-role',
        'vault-no-temporary-grant',
        'vulnerable-no-vault-access',
        'secure-env-no-secrets',
        'distinct-client-ids',
        'app-registration',
        'identifier-uris',
        'probe-no-token',
        'prm-resource',
        'scopes-qualified',
        'probe-other-audience',
        'probe-expired-token',
        'probe-tampered-token',
        'mcp-audit',
      ],
    );
    for (const c of r.checks) {
      assert.ok(c.evidence.length > 10, `${c.id} has evidence`);
      assert.notEqual(c.status, 'fail', `${c.id}: ${c.evidence}`);
    }
    // On Azure Sherpa cannot sign a token for another audience (and does not forward yours): skipped, said so.
    assert.equal(byId['probe-other-audience']!.status, 'skip');
    assert.match(
      byId['secure-vault-role']!.evidence,
      /Key Vault Secrets User \(4633458b…\) at kv-sherpa-abc123/,
    );
    assert.match(
      byId['probe-no-token']!.evidence,
      /^401, WWW-Authenticate: Bearer .*resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
    assert.match(byId['prm-resource']!.evidence, new RegExp(`resource ${lab.secure}$`));
    assert.match(byId['probe-tampered-token']!.evidence, /401 invalid_token/);
    // The real clients paged (nextLink) and used each provider's api-version.
    const arm = azure.requests.filter((q) => q.service === 'arm');
    assert.ok(arm.some((q) => q.path.endsWith('/containerApps') && q.query.get('$skiptoken') === '1'));
    const versions = new Map(
      arm.map((q) => [/.*providers\/(Microsoft\.\w+)/.exec(q.path)?.[1], q.query.get('api-version')]),
    );
    assert.deepEqual(Object.fromEntries(versions), {
      'Microsoft.App': '2025-07-01',
      'Microsoft.ManagedIdentity': '2024-11-30',
      'Microsoft.Authorization': '2022-04-01',
      'Microsoft.KeyVault': '2026-02-01',
    });
    assert.ok(
      arm.every((q) => q.method === 'GET'),
      'verify is read-only',
    );
    // Secret values never reach the report.
    assert.ok(!r.stdout.includes('demo-value-'));
  });

  const defects: [Defect, string, RegExp][] = [
    ['shared-identity', 'vulnerable-no-vault-access', /carries the secure app's identity id-secure-abc123/],
    ['secret-in-env', 'secure-env-no-secrets', /DEMO_API_KEY/],
    [
      'role-at-subscription-scope',
      'secure-vault-role',
      /Key Vault Secrets User \(4633458b…\) at the subscription/,
    ],
    ['missing-role', 'secure-vault-role', /no Key Vault Secrets User at kv-sherpa-abc123/],
    ['one-client-id', 'distinct-client-ids', /SHERPA_API_CLIENT_ID and MANAGED_IDENTITY_CLIENT_ID are both/],
    ['identifier-uri-missing', 'identifier-uris', /lack http:\/\/127\.0\.0\.1:\d+\/mcp/],
    ['missing-secret', 'vault-secrets', /lacks external-service-secret/],
    // Issue 16 (MEDIUM 5): a Migrate Secrets run killed before it removed its grant.
    [
      'leftover-temporary-grant',
      'vault-no-temporary-grant',
      /1 temporary Key Vault Secrets Officer \(b86a8fe4…\) grant\(s\) left on kv-sherpa-abc123 by an interrupted Migrate Secrets run: principal [0-9a-f-]{36}/,
    ],
  ];
  for (const [defect, check, evidence] of defects) {
    it(`${defect} is caught by exactly ${check}`, async () => {
      seed();
      azure.defect(defect);
      const r = await verify();
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(r.failed, [check]);
      const c = r.checks.find((x) => x.id === check)!;
      assert.match(c.evidence, evidence);
      assert.ok(c.remedy.length > 10, 'a one-line remedy');
      assert.ok(!r.stdout.includes('sk_live_'), 'a secret found in the env is named, never printed');
    });
  }

  it('env entries backed by secretRef (a Key Vault reference, a Container Apps secret) are the right way: green', async () => {
    seed();
    azure.defect('secret-ref-in-env');
    const r = await verify();
    assert.equal(r.code, 0, r.stdout);
    const c = r.checks.find((x) => x.id === 'secure-env-no-secrets')!;
    assert.equal(c.status, 'pass');
    assert.match(c.evidence, /DEMO_API_KEY \(secretRef demo-api-key, Key Vault reference\)/);
    assert.match(
      c.evidence,
      /EXTERNAL_SERVICE_SECRET \(secretRef external-service-secret, Container Apps secret\)/,
    );
    assert.ok(!r.stdout.includes('held-by-container-apps'), 'a secret value is never read into the report');
  });

  it('…while a literal secret beside them is still caught, and named alone', async () => {
    seed();
    azure.defect('secret-ref-in-env');
    azure.defect('secret-in-env'); // DEMO_API_KEY as a literal value as well
    const r = await verify();
    assert.deepEqual(r.failed, ['secure-env-no-secrets']);
    const c = r.checks.find((x) => x.id === 'secure-env-no-secrets')!;
    assert.match(c.evidence, /^secret-looking literal values: DEMO_API_KEY;/);
    assert.ok(!r.stdout.includes('sk_live_'));
  });

  it('a secure server awaiting configuration is one failing check naming register → configure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sherpa-awaiting-'));
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ secrets: {} }));
    const awaiting = await startSecureServer({
      host: '127.0.0.1',
      port: 0,
      issuer: lab.issuer,
      authorizationServers: [lab.issuer],
      audiences: [],
      awaitingConfiguration: ['SHERPA_API_CLIENT_ID'],
      allowedTenants: [lab.tenantId],
      requiredScope: 'access_as_user',
      secrets: { kind: 'file', path: join(dir, 'secrets.json') },
    });
    try {
      const s = seed(awaiting.url);
      const secure = s.apps.find((a) => a.name.startsWith('ca-secure'))!;
      secure.env = secure.env.filter((e) => e.name !== 'SHERPA_API_CLIENT_ID');
      const r = await verify();
      assert.equal(r.code, 1);
      assert.deepEqual(r.failed, ['probe-no-token'], r.stdout);
      const c = r.checks.find((x) => x.id === 'probe-no-token')!;
      assert.match(c.evidence, /^503 awaiting configuration: .*SHERPA_API_CLIENT_ID is not set/);
      assert.match(c.remedy, /`sherpa azure register`.*then `sherpa azure configure`/);
      const status = Object.fromEntries(r.checks.map((x) => [x.id, x.status]));
      for (const id of ['probe-expired-token', 'probe-tampered-token', 'mcp-audit', 'distinct-client-ids'])
        assert.equal(status[id], 'skip', id);
      assert.equal(status['prm-resource'], 'pass', 'the metadata is served while awaiting');
    } finally {
      await awaiting.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a PRM whose resource is not the URL is caught by exactly prm-resource', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sherpa-prm-'));
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ secrets: {} }));
    const wrong = await startSecureServer({
      host: '127.0.0.1',
      port: 0,
      resourceUrl: 'https://ca-secure-elsewhere.example.io/mcp',
      issuer: lab.issuer,
      authorizationServers: [lab.issuer],
      audiences: [lab.clientId],
      allowedTenants: [lab.tenantId],
      requiredScope: 'access_as_user',
      secrets: { kind: 'file', path: join(dir, 'secrets.json') },
    });
    try {
      seed(wrong.url);
      const r = await verify();
      assert.deepEqual(r.failed, ['prm-resource'], r.stdout);
      assert.match(
        r.checks.find((c) => c.id === 'prm-resource')!.evidence,
        /resource https:\/\/ca-secure-elsewhere\.example\.io\/mcp ≠ http:\/\/127\.0\.0\.1/,
      );
    } finally {
      await wrong.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('429 with Retry-After from Resource Manager is waited out, then served', async () => {
    const s = seed();
    const list = `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.App/containerApps`;
    s.throttleOnce.add(list);
    const before = azure.requests.length;
    const r = await verify();
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const calls = azure.requests.slice(before).filter((q) => q.path === list && !q.query.has('$skiptoken'));
    assert.deepEqual(
      calls.map((q) => q.status),
      [429, 200],
    );
  });

  it('403 from Resource Manager → a message that names the missing role, exit 1', async () => {
    const s = seed();
    s.armDenied.add(s.caller.objectId);
    const r = await verify();
    assert.equal(r.code, 1);
    assert.match(r.stderr, /lacks the Reader role \(Microsoft\.App\/read\)/);
    assert.match(r.stderr, /AZURE_FORBIDDEN/);
    assert.match(r.stderr, /assign you "Reader"/);
  });

  it('a wrong resource group → 404 explained, exit 1', async () => {
    seed();
    const s = azure.state;
    const r = await runSherpa(
      ['azure', 'verify', '--subscription', s.subscriptionId, '--resource-group', 'rg-nope'],
      azure.cliEnv(),
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AZURE_NOT_FOUND/);
    assert.match(r.stderr, /--resource-group/);
  });

  it('--format markdown renders the same checks as a table', async () => {
    seed();
    const r = await runAzureVerify(azure, { format: 'markdown' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Sherpa: Verify Deployment/);
    assert.match(
      r.stdout,
      /\| ✔ pass \| The vulnerable app cannot read the vault \(`vulnerable-no-vault-access`\) \|/,
    );
    assert.match(r.stdout, /\| – skip \| A token for another audience → 401/);
  });

  it('verify --lab runs the live probes for real, with validly signed lab tokens', async () => {
    const labJson = join(lab.dataDir, 'lab.json');
    const { process: _p, logs: _l, stop: _s, ...info } = lab;
    await writeFile(labJson, JSON.stringify(info));
    const r = await runSherpa(['azure', 'verify', '--lab', '--lab-json', labJson, '--format', 'json'], {
      PATH: process.env.PATH ?? '',
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const checks = (JSON.parse(r.stdout) as { checks: PrintedCheck[] }).checks;
    const live = checks.filter((c) => c.status !== 'skip').map((c) => c.id);
    assert.deepEqual(live, [
      'probe-no-token',
      'prm-resource',
      'scopes-qualified',
      'probe-other-audience',
      'probe-expired-token',
      'probe-tampered-token',
      'mcp-audit',
    ]);
    // With real lab tokens the audit's token matrix (alg none, stripped signature, attacker key …) ran. Warnings
    // and skips come only from information-level findings since issue 19 (per-client sign-in predictions such
    // as Cursor's cursor:// redirect against an unprobed DCR; registration probes, which are opt-in).
    const evidence = checks.find((c) => c.id === 'mcp-audit')!.evidence;
    assert.match(evidence, /findings: \d+ pass, \d+ warn, 0 fail, \d+ skip/);
    assert.doesNotMatch(evidence, /MUST failures/);
    assert.match(
      checks.find((c) => c.id === 'probe-other-audience')!.evidence,
      /validly signed token for another API → 401 invalid_token/,
    );
    assert.match(
      checks.find((c) => c.id === 'probe-expired-token')!.evidence,
      /expired 10 min ago → 401 invalid_token/,
    );
  });
});
