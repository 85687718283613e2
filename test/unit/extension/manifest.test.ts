/**
 * Issue 16 (HIGH 3): every setting that chooses a server, an endpoint, a credential, a tenant, a
 * subscription or an id is machine-scoped (VS Code then takes it from user settings only) and listed in
 * `capabilities.untrustedWorkspaces.restrictedConfigurations` (ignored in a workspace not yet trusted).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
};
const properties = manifest.contributes.configuration.properties;

/** What makes a setting security-relevant: its name says it picks where or as whom Sherpa signs in. */
const SENSITIVE =
  /^sherpa\.azure\.|\.url$|endpoint|authorityhost|tenant|subscription|clientid|resourcegroup|trusted|identifier/i;

describe('package.json: settings a workspace must not choose (issue 16, HIGH 3)', () => {
  const sensitive = Object.keys(properties).filter((k) => SENSITIVE.test(k));

  it('finds the settings it is about (every sherpa.azure.* one among them)', () => {
    for (const k of [
      'sherpa.azure.authorityHost',
      'sherpa.azure.signIn',
      'sherpa.azure.resourceManagerEndpoint',
      'sherpa.azure.graphEndpoint',
      'sherpa.azure.tenant',
      'sherpa.azure.subscriptionId',
      'sherpa.azure.resourceGroup',
      'sherpa.azure.apiClientId',
      'sherpa.secureServer.url',
      'sherpa.auth.clientId',
    ])
      assert.ok(sensitive.includes(k), k);
  });

  it('each is "scope": "machine"', () => {
    assert.deepEqual(
      sensitive.filter((k) => properties[k]!.scope !== 'machine'),
      [],
      'not machine-scoped',
    );
  });

  it('each is a restricted configuration in untrusted workspaces, and the list names only real settings', () => {
    const u = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(u?.supported, 'limited');
    const restricted = u?.restrictedConfigurations ?? [];
    assert.deepEqual(
      sensitive.filter((k) => !restricted.includes(k)),
      [],
      'missing from restrictedConfigurations',
    );
    assert.deepEqual(
      restricted.filter((k) => !(k in properties)),
      [],
      'restrictedConfigurations names a setting that does not exist',
    );
  });
});
