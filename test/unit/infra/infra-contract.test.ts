import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkInfraContract,
  envNames,
  bicepModules,
  readInfraFiles,
  type InfraFiles,
} from '../../support/infra-contract';

const repo = readInfraFiles(new URL('../../..', import.meta.url).pathname);

/** A copy of the repo's files with one edit, to prove each side of the contract is really checked. */
function drift(file: string, from: string | RegExp, to: string): InfraFiles {
  const text = repo[file]!;
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `the edit to ${file} did not apply: ${String(from)}`);
  return { ...repo, [file]: changed };
}

describe('infra contract (Bicep ↔ main.parameters.json ↔ azure.yaml ↔ server env ↔ Dockerfile ↔ outputs)', () => {
  it('holds for the files in the repository', () => {
    assert.deepEqual(checkInfraContract(repo), []);
  });

  it('sees the env each app sets', () => {
    const secure = bicepModules(repo['infra/main.bicep']!).find((m) => m.symbol === 'secureApp')!;
    assert.deepEqual(envNames(secure.body).sort(), [
      'ALLOWED_HOSTS',
      'HOST',
      'KEY_VAULT_URL',
      'MANAGED_IDENTITY_CLIENT_ID',
      'PORT',
      'SHERPA_ALLOWED_TENANTS',
      'SHERPA_API_CLIENT_ID',
      'SHERPA_ISSUER',
      'SHERPA_RESOURCE_URL',
    ]);
  });

  const cases: [string, InfraFiles, RegExp][] = [
    [
      'an output Sherpa reads is renamed',
      drift('infra/main.bicep', 'output SECURE_SERVER_URL ', 'output SECURE_URL '),
      /no output SECURE_SERVER_URL/,
    ],
    [
      'the server renames an env var the app sets',
      drift('src/servers/secure/options-from-env.ts', /KEY_VAULT_URL/g, 'VAULT_URL'),
      /secure app sets KEY_VAULT_URL, which the secure server never reads/,
    ],
    [
      'the server starts requiring a setting the app does not set',
      drift(
        'src/servers/vulnerable/options-from-env.ts',
        'const host = env.HOST || LAB_HOST;',
        "const host = env.HOST || LAB_HOST; requireSetting(env, 'NEW_SETTING', 'x');",
      ),
      /vulnerable app does not set required NEW_SETTING/,
    ],
    [
      'the Dockerfile exposes another port',
      drift('infra/Dockerfile', 'EXPOSE 8080', 'EXPOSE 3000'),
      /PORT 8080 ≠ Dockerfile EXPOSE 3000/,
    ],
    [
      'the image goes back to Node 20',
      drift('infra/Dockerfile', /FROM node:24-alpine$/m, 'FROM node:20-alpine'),
      /not Node 22\/24/,
    ],
    ['the image runs as root', drift('infra/Dockerfile', 'USER node', 'USER root'), /non-root USER/],
    [
      'an azure.yaml service loses its container app',
      drift('azure.yaml', '  vulnerable:\n', '  vuln:\n'),
      /no container app with serviceName 'vuln'/,
    ],
    [
      'a parameter loses its azd reference',
      drift('infra/main.parameters.json', '"${AZURE_LOCATION}"', '"westeurope"'),
      /location is not an azd/,
    ],
    [
      'a required Bicep param is not in main.parameters.json',
      drift('infra/main.parameters.json', /\s+"location": \{ "value": "\$\{AZURE_LOCATION\}" \},/, ''),
      /required param location not given/,
    ],
    [
      'a module gains a required param main does not pass',
      drift(
        'infra/modules/key-vault.bicep',
        'param tenantId string',
        'param tenantId string\nparam sku string',
      ),
      /module vault does not pass required param sku/,
    ],
    [
      'the vulnerable app gets the vault-reading identity (the workshop defect)',
      drift(
        'infra/main.bicep',
        'identityId: identities.outputs.vulnerableIdentityId',
        'identityId: identities.outputs.secureIdentityId',
      ),
      /vulnerable app does not carry its own identity/,
    ],
    [
      'Secrets User is no longer scoped to the vault',
      drift('infra/modules/key-vault.bicep', /(resource secretsUser[^]*?)\n\s+scope: vault\n/, '$1\n'),
      /not scoped to the vault/,
    ],
    [
      'the registry admin user comes back',
      drift('infra/modules/registry.bicep', 'adminUserEnabled: false', 'adminUserEnabled: true'),
      /admin user/,
    ],
    [
      'the deprecated managedEnvironmentId returns',
      drift(
        'infra/modules/container-app.bicep',
        'environmentId: environmentId',
        'managedEnvironmentId: environmentId',
      ),
      /deprecated managedEnvironmentId/,
    ],
  ];
  for (const [name, files, expected] of cases) {
    it(`fails when ${name}`, () => {
      const problems = checkInfraContract(files);
      assert.ok(
        problems.some((p) => expected.test(p)),
        `expected a problem matching ${expected}, got:\n${problems.join('\n')}`,
      );
    });
  }
});
