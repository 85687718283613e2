/**
 * Tests on the COMPILED template (the ARM JSON `bicep build` makes from infra/main.bicep), deployed by the
 * stand-in ARM engine (test/support/arm) with the parameters azd derives from main.parameters.json: the
 * resources, ids, scopes, env values and outputs Azure would be asked to create — not the Bicep text.
 * Every rule is also run on a mutated copy of the compiled JSON and must fail there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEPLOYMENT_OUTPUTS, readDeploymentOutputs } from '../../src/core/azure/deployment-outputs';
import { checkDeployment } from '../../src/core/azure/verify-checks';
import { secureServerOptionsFromEnv } from '../../src/servers/secure/options-from-env';
import { protectedResourceMetadataUrl } from '../../src/servers/secure/protected-resource-metadata';
import { vulnerableServerOptionsFromEnv } from '../../src/servers/vulnerable/options-from-env';
import { REPO_ROOT } from '../../scripts/tools-manifest';
import { azdParameters, compiledMainTemplate } from '../support/arm/bicep';
import {
  AZD_ENV,
  BUILT_IN_ROLES,
  CLOUD,
  deploySherpa,
  editModule,
  ROLE_ID,
  type SherpaDeployment,
  type Template,
} from '../support/arm/sherpa-deployment';
import { deployStandIn } from '../support/arm/stand-in-deployment';

const compiled = () => compiledMainTemplate() as Template;
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
const lower = (s: string) => s.toLowerCase();
const SECURE_CMD = ['serve', 'secure'];

/** The Dockerfile's runtime stage, read as the container runtime would. */
function dockerfile() {
  const text = read('infra/Dockerfile');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  const json = (k: string) =>
    JSON.parse(new RegExp(`^${k} (\\[.*\\])$`, 'm').exec(runtime)?.[1] ?? 'null') as string[];
  return {
    from: /^FROM (\S+)/m.exec(runtime)?.[1],
    user: /^USER (\S+)/m.exec(runtime)?.[1],
    expose: Number(/^EXPOSE (\d+)$/m.exec(runtime)?.[1]),
    entrypoint: json('ENTRYPOINT'),
    cmd: json('CMD'),
    copies: [...runtime.matchAll(/^COPY (.*)$/gm)].map((m) => m[1]!),
  };
}

/** A server's options from an env, or the start error's message (what the container would print). */
function startOrError(start: (env: NodeJS.ProcessEnv) => unknown, env: Record<string, string>): string {
  try {
    return JSON.stringify(start(env));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

type Check = (d: SherpaDeployment) => void;
interface Rule {
  name: string;
  check: Check;
  /** A mutation of the compiled template after which `check` must fail. */
  mutate: (t: Template) => Template;
}

const rules: Rule[] = [
  {
    name: 'two user-assigned identities; the secure app carries only id-secure-*, the vulnerable app only id-vulnerable-*',
    check: (d) => {
      const ids = d
        .ofType('Microsoft.ManagedIdentity/userAssignedIdentities')
        .map((i) => i.name)
        .sort();
      assert.equal(ids.length, 2);
      assert.match(ids[0]!, /^id-secure-/);
      assert.match(ids[1]!, /^id-vulnerable-/);
      for (const service of ['secure', 'vulnerable'] as const) {
        const a = d.app(service);
        assert.equal(a.identity?.type, 'UserAssigned', `${service}: no system-assigned identity`);
        const carried = Object.keys(a.identity?.userAssignedIdentities ?? {});
        assert.equal(carried.length, 1, `${service} carries ${carried.length} identities`);
        assert.match(carried[0]!.split('/').pop()!, new RegExp(`^id-${service}-`));
      }
    },
    // The workshop's defect: both apps on the vault-reading identity.
    mutate: (t) =>
      editModule(t, 'vulnerable-app', 'outputs.vulnerableIdentityId.value', 'outputs.secureIdentityId.value'),
  },
  {
    name: 'the vulnerable app holds no identity with any role covering the vault',
    check: (d) => {
      const vault = d.one('Microsoft.KeyVault/vaults');
      const ids = Object.keys(d.app('vulnerable').identity?.userAssignedIdentities ?? {}).map(lower);
      const principals = d
        .ofType('Microsoft.ManagedIdentity/userAssignedIdentities')
        .filter((i) => ids.includes(lower(i.id)))
        .map((i) => i.runtime.principalId);
      for (const r of d.ofType('Microsoft.Authorization/roleAssignments')) {
        const p = r.properties as { principalId: string };
        const scope = lower(
          r.scope ?? `/subscriptions/${CLOUD.subscriptionId}/resourcegroups/${r.resourceGroup}`,
        );
        const covers = lower(vault.id) === scope || lower(vault.id).startsWith(`${scope}/`);
        assert.ok(!(principals.includes(p.principalId) && covers), `vulnerable identity has ${r.id}`);
      }
    },
    mutate: (t) =>
      editModule(t, 'key-vault', 'outputs.securePrincipalId.value', 'outputs.vulnerablePrincipalId.value'),
  },
  {
    name: 'role assignments: Key Vault Secrets User on that one vault for the secure identity, AcrPull on that one registry per identity, nothing else, nothing at resource-group or subscription scope',
    check: (d) => {
      const vault = d.one('Microsoft.KeyVault/vaults');
      const registry = d.one('Microsoft.ContainerRegistry/registries');
      const principal = (name: string) =>
        d.ofType('Microsoft.ManagedIdentity/userAssignedIdentities').find((i) => i.name.startsWith(name))!
          .runtime.principalId as string;
      const got = d
        .ofType('Microsoft.Authorization/roleAssignments')
        .map((r) => {
          const p = r.properties as { principalId: string; roleDefinitionId: string; principalType: string };
          return `${p.roleDefinitionId} @ ${r.scope ?? '(deployment scope)'} → ${p.principalId} (${p.principalType})`;
        })
        .sort();
      const want = [
        `${ROLE_ID(BUILT_IN_ROLES.keyVaultSecretsUser)} @ ${vault.id} → ${principal('id-secure-')} (ServicePrincipal)`,
        `${ROLE_ID(BUILT_IN_ROLES.acrPull)} @ ${registry.id} → ${principal('id-secure-')} (ServicePrincipal)`,
        `${ROLE_ID(BUILT_IN_ROLES.acrPull)} @ ${registry.id} → ${principal('id-vulnerable-')} (ServicePrincipal)`,
      ].sort();
      assert.deepEqual(got, want);
      // Names are stable across re-deployments (guid() of scope, principal, role): a re-provision updates.
      const again = deploySherpa()
        .ofType('Microsoft.Authorization/roleAssignments')
        .map((r) => r.id)
        .sort();
      assert.deepEqual(
        d
          .ofType('Microsoft.Authorization/roleAssignments')
          .map((r) => r.id)
          .sort(),
        again,
      );
    },
    // Secrets User at the resource group: `scope` dropped from the role assignment.
    mutate: (t) =>
      editModule(
        t,
        'key-vault',
        /"scope":"\[resourceId\('Microsoft\.KeyVault\/vaults', parameters\('name'\)\)\]",/,
        '',
      ),
  },
  {
    name: 'role ids are the built-in GUIDs (Officer is never granted by the template)',
    check: (d) => {
      const ids = new Set(
        d
          .ofType('Microsoft.Authorization/roleAssignments')
          .map((r) => (r.properties.roleDefinitionId as string).split('/').pop()),
      );
      assert.deepEqual([...ids].sort(), [BUILT_IN_ROLES.keyVaultSecretsUser, BUILT_IN_ROLES.acrPull].sort());
    },
    mutate: (t) =>
      editModule(t, 'key-vault', BUILT_IN_ROLES.keyVaultSecretsUser, BUILT_IN_ROLES.keyVaultSecretsOfficer),
  },
  {
    name: 'the registry has no admin user and no anonymous pull; each app pulls with the identity it carries',
    check: (d) => {
      const registry = d.one('Microsoft.ContainerRegistry/registries');
      assert.equal(registry.properties.adminUserEnabled, false);
      assert.equal(registry.properties.anonymousPullEnabled, false);
      for (const service of ['secure', 'vulnerable'] as const) {
        const a = d.app(service);
        const pulls = (a.properties.configuration as { registries: { server: string; identity: string }[] })
          .registries;
        assert.deepEqual(pulls, [
          {
            server: registry.runtime.loginServer,
            identity: Object.keys(a.identity!.userAssignedIdentities!)[0],
          },
        ]);
      }
    },
    mutate: (t) => editModule(t, 'registry', '"adminUserEnabled":false', '"adminUserEnabled":true'),
  },
  {
    name: "the vault is in RBAC mode with soft delete; the secure app's KEY_VAULT_URL is its URI",
    check: (d) => {
      const vault = d.one('Microsoft.KeyVault/vaults');
      assert.equal(vault.properties.enableRbacAuthorization, true);
      assert.equal(vault.properties.enableSoftDelete, true);
      assert.equal(vault.properties.tenantId, CLOUD.tenantId);
      assert.equal(d.env('secure').KEY_VAULT_URL, vault.runtime.vaultUri);
    },
    mutate: (t) =>
      editModule(t, 'key-vault', '"enableRbacAuthorization":true', '"enableRbacAuthorization":false'),
  },
  {
    name: "the secure app's env starts the secure server (options-from-env) with the deployment's values, and the server reads every entry",
    check: (d) => {
      const env = d.env('secure');
      const o = secureServerOptionsFromEnv(env);
      const mi = d
        .ofType('Microsoft.ManagedIdentity/userAssignedIdentities')
        .find((i) => i.name.startsWith('id-secure-'))!;
      assert.equal(o.host, '0.0.0.0');
      assert.equal(o.resourceUrl, d.outputs.SECURE_SERVER_URL);
      assert.equal(o.issuer, `https://login.microsoftonline.com/${CLOUD.tenantId}/v2.0`);
      assert.deepEqual(o.allowedTenants, [CLOUD.tenantId]);
      assert.deepEqual(o.allowedHosts, [new URL(String(d.outputs.SECURE_SERVER_URL)).host]);
      assert.deepEqual(o.secrets, {
        kind: 'key-vault',
        vaultUrl: d.one('Microsoft.KeyVault/vaults').runtime.vaultUri,
        managedIdentityClientId: mi.runtime.clientId,
      });
      // Every entry matters: without it the server starts differently or not at all (a renamed variable
      // the server no longer reads would make no difference and fail here).
      const full = startOrError(secureServerOptionsFromEnv, env);
      for (const name of Object.keys(env)) {
        const { [name]: _dropped, ...rest } = env;
        assert.notEqual(
          startOrError(secureServerOptionsFromEnv, rest),
          full,
          `the secure server ignores ${name}`,
        );
      }
    },
    mutate: (t) => editModule(t, 'secure-app', "'KEY_VAULT_URL'", "'VAULT_URL'"),
  },
  {
    name: "the vulnerable app's env starts the vulnerable server, REQUIRED_TOKEN in plain env on purpose (waypoint 2)",
    check: (d) => {
      const env = d.env('vulnerable');
      const o = vulnerableServerOptionsFromEnv(env);
      assert.equal(o.host, '0.0.0.0');
      assert.equal(o.requiredToken, 'camp1_demo_token_INSECURE');
      assert.deepEqual(o.allowedHosts, [new URL(String(d.outputs.VULNERABLE_SERVER_URL)).host]);
      const full = startOrError(vulnerableServerOptionsFromEnv, env);
      for (const name of Object.keys(env)) {
        const { [name]: _dropped, ...rest } = env;
        assert.notEqual(
          startOrError(vulnerableServerOptionsFromEnv, rest),
          full,
          `the vulnerable server ignores ${name}`,
        );
      }
    },
    mutate: (t) => editModule(t, 'vulnerable-app', '"name":"ALLOWED_HOSTS"', '"name":"ALLOWED_HOST"'),
  },
  {
    name: 'SHERPA_API_CLIENT_ID: absent until the azd env has it (the server then awaits configuration), then the audience',
    check: (d) => {
      assert.equal(d.env('secure').SHERPA_API_CLIENT_ID, undefined);
      assert.deepEqual(secureServerOptionsFromEnv(d.env('secure')).awaitingConfiguration, [
        'SHERPA_API_CLIENT_ID',
      ]);
      const apiClientId = '0c4e2a6b-1d3f-4a5b-8c7d-9e0f1a2b3c4d';
      const configured = deploySherpa({
        template: d.template,
        azdEnv: { ...AZD_ENV, SHERPA_API_CLIENT_ID: apiClientId },
      });
      const o = secureServerOptionsFromEnv(configured.env('secure'));
      assert.equal(o.awaitingConfiguration, undefined);
      assert.deepEqual(o.audiences, [apiClientId]);
      assert.notEqual(apiClientId, o.secrets.kind === 'key-vault' ? o.secrets.managedIdentityClientId : '');
    },
    mutate: (t) => editModule(t, 'secure-app', "'SHERPA_API_CLIENT_ID'", "'AZURE_CLIENT_ID'"),
  },
  {
    name: "PORT = ingress targetPort = every probe's port = the Dockerfile's EXPOSE; args run `serve <service>` through its ENTRYPOINT",
    check: (d) => {
      const docker = dockerfile();
      assert.deepEqual(docker.entrypoint, ['node', '/app/sherpa.mjs']);
      assert.deepEqual(docker.cmd, SECURE_CMD);
      for (const service of ['secure', 'vulnerable'] as const) {
        const c = d.container(service);
        const ingress = (d.app(service).properties.configuration as { ingress: { targetPort: number } })
          .ingress;
        assert.equal(Number(d.env(service).PORT), docker.expose, `${service} PORT`);
        assert.equal(ingress.targetPort, docker.expose, `${service} targetPort`);
        for (const p of c.probes as { httpGet?: { port: number }; tcpSocket?: { port: number } }[])
          assert.equal((p.httpGet ?? p.tcpSocket)!.port, docker.expose, `${service} probe port`);
        assert.deepEqual(c.args, ['serve', service]);
        assert.equal(
          c.image,
          AZD_ENV[service === 'secure' ? 'SERVICE_SECURE_IMAGE_NAME' : 'SERVICE_VULNERABLE_IMAGE_NAME'],
        );
      }
    },
    mutate: (t) => editModule(t, 'secure-app', "'PORT', 'value', '8080'", "'PORT', 'value', '3000'"),
  },
  {
    name: 'ingress: external, HTTPS only (allowInsecure false), HTTP/1 transport',
    check: (d) => {
      for (const service of ['secure', 'vulnerable'] as const) {
        const ingress = (d.app(service).properties.configuration as { ingress: Record<string, unknown> })
          .ingress;
        assert.equal(ingress.external, true);
        assert.equal(ingress.allowInsecure, false, `${service} allows plain http`);
        assert.equal(ingress.transport, 'http');
      }
    },
    mutate: (t) => editModule(t, 'secure-app', '"allowInsecure":false', '"allowInsecure":true'),
  },
  {
    name: "probes: the secure app's startup/liveness/readiness GET the PRM path the server serves, with its public Host (in ALLOWED_HOSTS); the vulnerable app a TCP liveness probe",
    check: (d) => {
      const prmPath = new URL(protectedResourceMetadataUrl(String(d.outputs.SECURE_SERVER_URL))).pathname;
      const host = d.env('secure').ALLOWED_HOSTS;
      const probes = d.container('secure').probes as {
        type: string;
        httpGet: { path: string; scheme: string; httpHeaders: { name: string; value: string }[] };
      }[];
      assert.deepEqual(
        probes.map((p) => p.type),
        ['Startup', 'Liveness', 'Readiness'],
      );
      for (const p of probes) {
        assert.equal(p.httpGet.path, prmPath);
        assert.equal(p.httpGet.scheme, 'HTTP');
        assert.deepEqual(p.httpGet.httpHeaders, [{ name: 'Host', value: host }]);
      }
      const vulnerable = d.container('vulnerable').probes as { type: string; tcpSocket?: unknown }[];
      assert.deepEqual(
        vulnerable.map((p) => [p.type, Boolean(p.tcpSocket)]),
        [['Liveness', true]],
      );
    },
    mutate: (t) => editModule(t, 'secure-app', '"/.well-known/oauth-protected-resource/mcp"', '"/healthz"'),
  },
  {
    name: 'scale: the stateless secure app 1–5 replicas on HTTP concurrency; the vulnerable app 0–1',
    check: (d) => {
      const scale = (s: 'secure' | 'vulnerable') =>
        d.app(s).properties.template as { scale: Record<string, unknown> };
      assert.deepEqual(scale('secure').scale, {
        minReplicas: 1,
        maxReplicas: 5,
        rules: [{ name: 'http-concurrency', http: { metadata: { concurrentRequests: '50' } } }],
      });
      assert.equal(scale('vulnerable').scale.minReplicas, 0);
      assert.equal(scale('vulnerable').scale.maxReplicas, 1);
    },
    mutate: (t) => editModule(t, 'secure-app', '"minReplicas":{"value":1}', '"minReplicas":{"value":0}'),
  },
  {
    name: "outputs: every name Sherpa reads back (deployment-outputs.ts) with the deployed value, also in ARM's lower-cased form",
    check: (d) => {
      for (const name of DEPLOYMENT_OUTPUTS)
        assert.ok(typeof d.outputs[name] === 'string' && d.outputs[name], `output ${name}`);
      const secure = d.app('secure');
      const fqdn = (secure.runtime.configuration as { ingress: { fqdn: string } }).ingress.fqdn;
      const expected = {
        AZURE_TENANT_ID: CLOUD.tenantId,
        AZURE_RESOURCE_GROUP: 'rg-sherpa-dev',
        AZURE_KEY_VAULT_NAME: d.one('Microsoft.KeyVault/vaults').name,
        AZURE_KEY_VAULT_ENDPOINT: d.env('secure').KEY_VAULT_URL,
        AZURE_MANAGED_IDENTITY_CLIENT_ID: d.env('secure').MANAGED_IDENTITY_CLIENT_ID,
        SECURE_APP_NAME: secure.name,
        VULNERABLE_APP_NAME: d.app('vulnerable').name,
        SECURE_SERVER_URL: `https://${fqdn}/mcp`,
      };
      const armShaped = Object.fromEntries(
        Object.entries(d.outputs).map(([k, v]) => [
          k[0]!.toLowerCase() + k.slice(1),
          { type: 'String', value: v },
        ]),
      );
      for (const values of [d.outputs, armShaped]) {
        const back = readDeploymentOutputs(values);
        assert.deepEqual(Object.keys(back).sort(), [...DEPLOYMENT_OUTPUTS].sort());
        for (const [k, v] of Object.entries(expected)) assert.equal(back[k as keyof typeof back], v, k);
      }
    },
    mutate: (t) => {
      const copy = structuredClone(t) as Template & { outputs: Record<string, unknown> };
      copy.outputs.SECURE_URL = copy.outputs.SECURE_SERVER_URL;
      delete copy.outputs.SECURE_SERVER_URL;
      return copy;
    },
  },
  {
    name: "azure.yaml's services are exactly the apps' azd-service-name tags, built from infra/Dockerfile",
    check: (d) => {
      const yaml = read('azure.yaml');
      const services = [...yaml.slice(yaml.indexOf('\nservices:')).matchAll(/^ {2}(\w[\w-]*):$/gm)]
        .map((m) => m[1])
        .sort();
      const tags = d
        .ofType('Microsoft.App/containerApps')
        .map((a) => a.tags?.['azd-service-name'])
        .sort();
      assert.deepEqual(tags, services);
      assert.equal([...yaml.matchAll(/^ {6}path: infra\/Dockerfile$/gm)].length, services.length);
      for (const a of d.ofType('Microsoft.App/containerApps'))
        assert.equal(a.tags?.['azd-env-name'], AZD_ENV.AZURE_ENV_NAME);
    },
    mutate: (t) =>
      editModule(
        t,
        'vulnerable-app',
        '"serviceName":{"value":"vulnerable"}',
        '"serviceName":{"value":"vuln"}',
      ),
  },
  {
    name: "Verify Deployment's own checks pass on what the template deploys (identity, vault role, vulnerable app, RBAC mode, env holds no secret)",
    check: (d) => {
      const checks = checkDeployment(d.snapshot());
      const infra = [
        'vault-rbac-mode',
        'secure-identity',
        'secure-vault-role',
        'vulnerable-no-vault-access',
        'secure-env-no-secrets',
      ];
      for (const id of infra) {
        const c = checks.find((x) => x.id === id)!;
        assert.equal(c.status, 'pass', `${id}: ${c.evidence}`);
      }
    },
    mutate: (t) =>
      editModule(t, 'vulnerable-app', 'outputs.vulnerableIdentityId.value', 'outputs.secureIdentityId.value'),
  },
];

describe('the compiled template (bicep build → ARM JSON → stand-in deployment)', () => {
  const deployed = deploySherpa({ template: compiled() });
  for (const rule of rules) {
    it(rule.name, () => {
      rule.check(deployed);
      const mutated = deploySherpa({ template: rule.mutate(compiled()) });
      assert.throws(() => rule.check(mutated), 'the mutation must make this rule fail');
    });
  }

  it('main.parameters.json ↔ the template: every required parameter given, nothing undeclared, each an azd ${VAR}', () => {
    const check = (paramsText: string) => {
      const t = compiled() as Template & {
        parameters: Record<string, { type: string; defaultValue?: unknown }>;
      };
      const given = (JSON.parse(paramsText) as { parameters: Record<string, { value: unknown }> }).parameters;
      for (const [name, p] of Object.entries(t.parameters))
        if (!('defaultValue' in p)) assert.ok(name in given, `required parameter ${name} not given`);
      for (const [name, v] of Object.entries(given)) {
        assert.ok(name in t.parameters, `${name} is not a parameter of the template`);
        assert.equal(t.parameters[name]!.type, 'string');
        assert.match(String(v.value), /^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$/, `${name} is not an azd reference`);
      }
      // And azd's substitution of it deploys (types, minLength …) with only the two variables azd always has.
      deployStandIn(t, azdParameters({ AZURE_ENV_NAME: 'e', AZURE_LOCATION: 'eastus' }, paramsText), CLOUD);
    };
    const text = read('infra/main.parameters.json');
    const edit = (from: string | RegExp, to: string) => {
      const changed = text.replace(from, to);
      assert.notEqual(changed, text, `the edit did not apply: ${String(from)}`);
      return changed;
    };
    check(text);
    assert.throws(
      () => check(edit(/\s+"location": \{ "value": "\$\{AZURE_LOCATION\}" \},/, '')),
      /required parameter location/,
    );
    assert.throws(() => check(edit('"${AZURE_LOCATION}"', '"westeurope"')), /not an azd reference/);
    assert.throws(
      () => check(edit('"secureImage"', '"secureImageName"')),
      /secureImageName is not a parameter/,
    );
  });

  it('the first provision (empty registry): the public placeholder on port 80 without probes; the real image after deploy', () => {
    const first = deploySherpa({ azdEnv: { AZURE_ENV_NAME: 'sherpa-dev', AZURE_LOCATION: 'eastus' } });
    for (const service of ['secure', 'vulnerable'] as const) {
      const c = first.container(service);
      assert.equal(c.image, 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest');
      assert.deepEqual(c.args, []);
      assert.deepEqual(c.probes, []);
      assert.equal(
        (first.app(service).properties.configuration as { ingress: { targetPort: number } }).ingress
          .targetPort,
        80,
      );
    }
    assert.equal(deployed.container('secure').image, AZD_ENV.SERVICE_SECURE_IMAGE_NAME);
  });
});
