/**
 * The first run on a new subscription, end to end against the Azure stand-in (test/support/azure):
 *   provision (the COMPILED template, deployed by the stand-in engine, with what azd has at that point:
 *   no SHERPA_API_CLIENT_ID) → the secure revision starts awaiting configuration (health probe green, MCP
 *   503) → migrate-secrets → verify: one failing check, naming register → configure → register → configure
 *   (a new revision; SHERPA_API_CLIENT_ID also saved in the azd env) → verify green → a later provision keeps
 *   the client id. The secure server runs as a real process with the revision's env; only its listening
 *   address is the stand-in's (loopback instead of the app's public https name, which cannot be served here).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startAzureTestServer, type AzureTestServer } from '../support/azure/index';
import { runAzureVerify, runSherpa } from '../support/azure/run-cli';
import type { FakeContainerApp } from '../support/azure/state';
import { createStandIns } from '../support/azure/stand-in-tools';
import { rawRequest } from '../support/http-request';
import { startLabProcess, type LabProcess } from '../support/lab';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { AZD_ENV, deploySherpa, type SherpaDeployment } from '../support/arm/sherpa-deployment';

let lab: LabProcess;
let azure: AzureTestServer;
let port: number;
let revision: { number: number; server: ServerProcess } | undefined;
const transcript: string[] = [];
const step = (line: string) => {
  transcript.push(line);
  console.log(`  │ ${line}`);
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/** Same settings, by name (the order of env entries is not a setting). */
const sameSettings = (a: { name: string; value?: string }[], b: { name: string; value?: string }[]) => {
  const key = (l: typeof a) => JSON.stringify(l.map((e) => [e.name, e.value ?? '']).sort());
  return key(a) === key(b);
};

/** `azd provision` with the stand-in: the compiled template deployed, its result loaded into the fake Azure. */
function provision(azdEnv: Record<string, string>): SherpaDeployment {
  const s = azure.state;
  const labOrigin = new URL(lab.issuer).origin;
  const d = deploySherpa({
    azdEnv,
    cloud: {
      subscriptionId: s.subscriptionId,
      tenantId: lab.tenantId,
      // The lab plays Entra: the template derives the issuer from environment().authentication.
      environment: { authentication: { loginEndpoint: `${labOrigin}/` } },
      runtime: { 'microsoft.keyvault/vaults': () => ({ vaultUri: azure.endpoints.vaultUrl }) },
    },
  });
  s.resourceGroup = String(d.outputs.AZURE_RESOURCE_GROUP);
  s.vault.name = d.one('Microsoft.KeyVault/vaults').name;
  s.identities = d.ofType('Microsoft.ManagedIdentity/userAssignedIdentities').map((i) => ({
    name: i.name,
    id: i.id,
    principalId: String(i.runtime.principalId),
    clientId: String(i.runtime.clientId),
  }));
  s.roleAssignments = d.ofType('Microsoft.Authorization/roleAssignments').map((r) => {
    const p = r.properties as { principalId: string; roleDefinitionId: string };
    return {
      name: r.name,
      scope: r.scope!,
      roleGuid: p.roleDefinitionId.split('/').pop()!,
      principalId: p.principalId,
      principalType: 'ServicePrincipal' as const,
      propagatesAfter: 0,
    };
  });
  const previous = s.apps;
  s.apps = (['secure', 'vulnerable'] as const).map((service): FakeContainerApp => {
    const a = d.app(service);
    const c = d.container(service);
    const env = c.env.map((e) => ({ ...e }));
    // The stand-in's ingress: loopback instead of the public https name (see the file comment).
    if (service === 'secure') {
      const local = `127.0.0.1:${port}`;
      for (const e of env) {
        if (e.name === 'ALLOWED_HOSTS') e.value = local;
        if (e.name === 'SHERPA_RESOURCE_URL') e.value = `http://${local}/mcp`;
      }
    }
    const before = previous.find((p) => p.name === a.name);
    return {
      name: a.name,
      identityIds: Object.keys(a.identity?.userAssignedIdentities ?? {}),
      env,
      args: c.args,
      image: String(c.image),
      fqdn: service === 'secure' ? `127.0.0.1:${port}` : `${a.name}.stand-in.invalid`,
      // A provision that changes the template makes a new revision, like Container Apps.
      revision: before ? before.revision + (sameSettings(before.env, env) ? 0 : 1) : 1,
      tags: a.tags ?? {},
    };
  });
  return d;
}

/** Container Apps runs the secure app's latest revision: (re)start the server when the revision changes. */
async function runLatestRevision(): Promise<ServerProcess> {
  const app = azure.state.apps.find((a) => a.tags['azd-service-name'] === 'secure')!;
  if (revision?.number === app.revision) return revision.server;
  await revision?.server.stop();
  const env = Object.fromEntries(app.env.map((e) => [e.name, e.value ?? '']));
  const server = await startServerProcess('src/servers/secure/main.ts', {
    ...env,
    HOST: '127.0.0.1',
    PORT: String(port),
  });
  revision = { number: app.revision, server };
  return server;
}

function verify() {
  return runAzureVerify(azure);
}

before(async () => {
  [lab, azure] = await Promise.all([startLabProcess(), startAzureTestServer()]);
  port = await freePort();
});
after(async () => {
  await revision?.server.stop();
  await Promise.all([lab?.stop(), azure?.close()]);
  console.log(`first-run transcript:\n${transcript.map((l) => `  ${l}`).join('\n')}`);
});

describe('first run: provision → awaiting configuration → register → configure → verify green', () => {
  let appId = '';
  /** What `sherpa azure configure` wrote into the azd environment (the stand-in azd records it). */
  const azdSaved: Record<string, string> = {};

  it('provision: the template as azd deploys it before any app registration — no SHERPA_API_CLIENT_ID', async () => {
    azure.seed({ secureUrl: `http://127.0.0.1:${port}/mcp`, issuer: lab.issuer, registered: false });
    azure.state.vault.secrets.clear(); // a new vault is empty
    const d = provision(AZD_ENV);
    assert.equal(d.env('secure').SHERPA_ISSUER, lab.issuer, 'the lab plays Entra for the template’s issuer');
    assert.equal(d.env('secure').SHERPA_API_CLIENT_ID, undefined);
    step(`azd provision: ${d.resources.length} resources, secure app ${d.app('secure').name} (revision 1)`);
  });

  it('the revision starts (no crash loop): the startup probe’s path answers 200, MCP answers 503', async () => {
    const server = await runLatestRevision();
    const probePath = (d: { httpGet: { path: string } }[]) => d[0]!.httpGet.path;
    const path = probePath(deploySherpa().container('secure').probes as { httpGet: { path: string } }[]);
    const health = await rawRequest(`${server.origin}${path}`);
    assert.equal(health.status, 200, health.text);
    const mcp = await rawRequest(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}',
    });
    assert.equal(mcp.status, 503);
    assert.match(server.stderr(), /awaiting configuration/);
    step(
      `revision 1 running: GET ${path} → ${health.status}; POST /mcp → ${mcp.status} awaiting configuration`,
    );
  });

  it('migrate-secrets fills the vault (the temporary grant removed)', async () => {
    const s = azure.state;
    const r = await runSherpa(
      ['azure', 'migrate-secrets', '--subscription', s.subscriptionId, '--resource-group', s.resourceGroup],
      azure.cliEnv(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...s.vault.secrets.keys()].sort(), ['demo-api-key', 'external-service-secret']);
    step('sherpa azure migrate-secrets: 2 secrets written, temporary Secrets Officer grant removed');
  });

  it('verify: exactly one failing check — the server awaiting configuration — naming register → configure', async () => {
    await runLatestRevision();
    const r = await verify();
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(
      r.failed.map((c) => c.id),
      ['probe-no-token'],
      r.stdout,
    );
    assert.match(r.failed[0]!.evidence, /^503 awaiting configuration/);
    assert.match(r.failed[0]!.remedy, /`sherpa azure register`.*`sherpa azure configure`/);
    step(`sherpa azure verify: exit 1, 1 failing check: probe-no-token — ${r.failed[0]!.remedy}`);
  });

  it('register: the API app registration (Graph), the server URL as identifier URI', async () => {
    const r = await runSherpa(
      ['azure', 'register', '--secure-url', `http://127.0.0.1:${port}/mcp`, '--format', 'json'],
      azure.cliEnv(),
    );
    assert.equal(r.code, 0, r.stderr);
    appId = (JSON.parse(r.stdout) as { appId: string }).appId;
    assert.match(appId, /^[0-9a-f-]{36}$/);
    step(`sherpa azure register: appId ${appId}`);
  });

  it('configure: SHERPA_API_CLIENT_ID on the app (a new revision) and in the azd environment', async () => {
    const s = azure.state;
    const tools = createStandIns({ tools: ['azd'], azdEnv: {} });
    try {
      const r = await runSherpa(
        [
          'azure',
          'configure',
          '--subscription',
          s.subscriptionId,
          '--resource-group',
          s.resourceGroup,
          '--api-client-id',
          appId,
        ],
        { ...azure.cliEnv(), PATH: tools.binDir },
      );
      assert.equal(r.code, 0, r.stderr);
      for (const call of tools.calls()) {
        const [, name, value = ''] = /^azd env set (\S+) ?(.*)$/.exec(call) ?? [];
        if (name) azdSaved[name] = value;
      }
    } finally {
      tools.close();
    }
    const app = s.apps.find((a) => a.tags['azd-service-name'] === 'secure')!;
    assert.equal(app.revision, 2);
    assert.equal(app.env.find((e) => e.name === 'SHERPA_API_CLIENT_ID')?.value, appId);
    // The azd environment holds exactly what the app now carries: the client id and the scope fallback.
    assert.deepEqual(azdSaved, {
      SHERPA_API_CLIENT_ID: appId,
      SHERPA_SCOPES_SUPPORTED: app.env.find((e) => e.name === 'SHERPA_SCOPES_SUPPORTED')?.value ?? '',
    });
    const server = await runLatestRevision();
    assert.doesNotMatch(server.stderr(), /awaiting configuration/);
    step(
      `sherpa azure configure: revision 2 with SHERPA_API_CLIENT_ID; azd env set SHERPA_API_CLIENT_ID ${appId}`,
    );
  });

  it('verify: green', async () => {
    const r = await verify();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.failed, []);
    const passed = r.checks.filter((c) => c.status === 'pass').map((c) => c.id);
    for (const id of [
      'probe-no-token',
      'prm-resource',
      'distinct-client-ids',
      'app-registration',
      'identifier-uris',
      'mcp-audit',
    ])
      assert.ok(passed.includes(id), `${id} passes`);
    step(
      `sherpa azure verify: exit 0 — ${passed.length} pass, ${r.checks.length - passed.length} skip, 0 fail`,
    );
  });

  it('a later azd provision keeps the client id (it is in the azd environment now)', async () => {
    const configured = azure.state.apps
      .find((a) => a.tags['azd-service-name'] === 'secure')!
      .env.map((e) => e.name);
    const d = provision({ ...AZD_ENV, ...azdSaved });
    const app = azure.state.apps.find((a) => a.tags['azd-service-name'] === 'secure')!;
    assert.equal(d.env('secure').SHERPA_API_CLIENT_ID, appId);
    assert.equal(app.env.find((e) => e.name === 'SHERPA_API_CLIENT_ID')?.value, appId);
    // Without it in the azd env (before configure wrote it) a provision would put the app back to awaiting.
    assert.equal(deploySherpa().env('secure').SHERPA_API_CLIENT_ID, undefined);
    // The api:// fallback (SHERPA_SCOPES_SUPPORTED, set when Entra refused the URL as an identifier URI —
    // here the stand-in refused the http URL) survives too: configure saved it, the template carries it.
    assert.ok(configured.includes('SHERPA_SCOPES_SUPPORTED'), 'this run exercises the scope fallback');
    const lost = configured.filter((n) => !app.env.some((e) => e.name === n));
    assert.deepEqual(lost, []);
    step(`azd provision again: SHERPA_API_CLIENT_ID kept; dropped: ${lost.join(', ') || 'nothing'}`);
  });
});
