import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secureServerOptionsFromEnv } from '../../../../src/servers/secure/options-from-env';

const base = {
  SHERPA_ISSUER: 'https://login.microsoftonline.com/t1/v2.0',
  SHERPA_API_CLIENT_ID: 'app-guid',
  SHERPA_ALLOWED_TENANTS: 't1, t2',
  SECRETS_FILE: '/tmp/s.json',
};

describe('secureServerOptionsFromEnv', () => {
  it('builds options with defaults', () => {
    const o = secureServerOptionsFromEnv({ ...base, SHERPA_API_AUDIENCES: 'api://app-guid' });
    assert.equal(o.host, '127.0.0.1');
    assert.equal(o.port, 7482);
    assert.deepEqual(o.audiences, ['app-guid', 'api://app-guid']);
    assert.deepEqual(o.allowedTenants, ['t1', 't2']);
    assert.deepEqual(o.authorizationServers, [base.SHERPA_ISSUER]);
    assert.equal(o.requiredScope, 'access_as_user');
    assert.deepEqual(o.secrets, { kind: 'file', path: '/tmp/s.json' });
    assert.equal(o.jwksUri, undefined);
  });

  it('reads the proxy variables for reaching the issuer (lower case first, as curl does); none = direct', () => {
    assert.equal(secureServerOptionsFromEnv(base).outbound, undefined);
    const o = secureServerOptionsFromEnv({
      ...base,
      HTTPS_PROXY: 'http://proxy.corp:3128',
      https_proxy: 'http://127.0.0.1:7483',
      NO_PROXY: 'localhost,.internal',
    });
    assert.deepEqual(o.outbound, {
      httpsProxy: 'http://127.0.0.1:7483',
      httpProxy: undefined,
      noProxy: 'localhost,.internal',
    });
    assert.throws(
      () => secureServerOptionsFromEnv({ ...base, HTTPS_PROXY: 'not a url' }),
      (e: Error & { code?: string }) => e.code === 'SETTING_INVALID' && /HTTPS_PROXY/.test(e.message),
    );
  });

  it("reads SHERPA_MAX_TOKEN_LIFETIME_SECONDS (default: the verifier's 24 h); refuses a non-positive one", () => {
    assert.equal(secureServerOptionsFromEnv(base).maxTokenLifetimeSeconds, undefined);
    assert.equal(
      secureServerOptionsFromEnv({ ...base, SHERPA_MAX_TOKEN_LIFETIME_SECONDS: '7200' })
        .maxTokenLifetimeSeconds,
      7200,
    );
    for (const bad of ['0', '-1', '1.5', 'day']) {
      assert.throws(
        () => secureServerOptionsFromEnv({ ...base, SHERPA_MAX_TOKEN_LIFETIME_SECONDS: bad }),
        (e: Error & { code?: string }) => e.code === 'SETTING_INVALID',
        bad,
      );
    }
  });

  it('names the missing variable', () => {
    for (const name of ['SHERPA_ISSUER', 'SHERPA_ALLOWED_TENANTS', 'SECRETS_FILE']) {
      const env: NodeJS.ProcessEnv = { ...base };
      delete env[name];
      assert.throws(
        () => secureServerOptionsFromEnv(env),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'SETTING_MISSING');
          assert.match(err.message, new RegExp(`^${name} is not set`));
          return true;
        },
      );
    }
  });

  it('without SHERPA_API_CLIENT_ID: awaiting configuration, no audience (never an empty-audience verifier)', () => {
    for (const clientId of [undefined, '', '  ']) {
      const env: NodeJS.ProcessEnv = {
        ...base,
        SHERPA_API_AUDIENCES: 'api://x',
        SHERPA_API_CLIENT_ID: clientId,
      };
      if (clientId === undefined) delete env.SHERPA_API_CLIENT_ID;
      const o = secureServerOptionsFromEnv(env);
      assert.deepEqual(o.awaitingConfiguration, ['SHERPA_API_CLIENT_ID']);
      assert.deepEqual(o.audiences, []);
    }
    assert.equal(secureServerOptionsFromEnv(base).awaitingConfiguration, undefined);
  });

  it('requires MANAGED_IDENTITY_CLIENT_ID with KEY_VAULT_URL and keeps it apart from the app id', () => {
    assert.throws(
      () => secureServerOptionsFromEnv({ ...base, KEY_VAULT_URL: 'https://v.vault.azure.net/' }),
      /MANAGED_IDENTITY_CLIENT_ID is not set/,
    );
    const o = secureServerOptionsFromEnv({
      ...base,
      KEY_VAULT_URL: 'https://v.vault.azure.net/',
      MANAGED_IDENTITY_CLIENT_ID: 'mi-guid',
    });
    assert.deepEqual(o.secrets, {
      kind: 'key-vault',
      vaultUrl: 'https://v.vault.azure.net/',
      managedIdentityClientId: 'mi-guid',
    });
    assert.deepEqual(o.audiences, ['app-guid']);
  });

  it('requires SHERPA_RESOURCE_URL when binding all interfaces, and validates URLs and PORT', () => {
    assert.throws(
      () => secureServerOptionsFromEnv({ ...base, HOST: '0.0.0.0' }),
      /SHERPA_RESOURCE_URL is not set/,
    );
    assert.throws(
      () => secureServerOptionsFromEnv({ ...base, SHERPA_ISSUER: 'not a url' }),
      /SHERPA_ISSUER is invalid/,
    );
    assert.throws(() => secureServerOptionsFromEnv({ ...base, PORT: '99999' }), /PORT is invalid/);
    const o = secureServerOptionsFromEnv({
      ...base,
      HOST: '0.0.0.0',
      PORT: '8080',
      SHERPA_RESOURCE_URL: 'https://x.example/mcp',
      ALLOWED_HOSTS: 'x.example',
    });
    assert.equal(o.resourceUrl, 'https://x.example/mcp');
    assert.deepEqual(o.allowedHosts, ['x.example']);
    assert.equal(o.port, 8080);
  });
});
