import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createKeyVaultSecretStore } from '../../src/servers/secure/secrets/key-vault-secret-store';
import { SecretError } from '../../src/servers/secure/secrets/secret-store';
import { startKeyVaultTestServer, type KeyVaultTestServer } from '../support/keyvault-test-server';

// The MANAGED IDENTITY's client id — deliberately different from any app registration's client id.
const MI_CLIENT_ID = '5e1f0c3d-8a7b-4c2e-9f10-3b6d4a2c1e77';

describe('Key Vault secret store (real SecretClient + ManagedIdentityCredential vs a Key-Vault-shaped https server)', () => {
  let kv: KeyVaultTestServer;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  before(async () => {
    kv = await startKeyVaultTestServer();
    kv.addSecret('demo-api-key', 'kv-demo-value-0123456789', { contentType: 'text/plain' });
    // App Service / Container Apps managed identity protocol, read by @azure/identity (via MSAL).
    process.env.IDENTITY_ENDPOINT = kv.identityEndpoint;
    process.env.IDENTITY_HEADER = kv.identityHeader;
  });
  after(async () => {
    process.env.IDENTITY_ENDPOINT = saved.endpoint;
    process.env.IDENTITY_HEADER = saved.header;
    if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    await kv?.close();
  });

  const store = () =>
    createKeyVaultSecretStore(kv.vaultUrl, MI_CLIENT_ID, {
      // The challenge names vault.azure.net while our vault is 127.0.0.1: turn off only that domain check.
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: kv.caPem },
      retryOptions: { maxRetries: 0 },
    });

  it('reads a secret with the managed identity and returns metadata + fingerprint, never the value', async () => {
    const meta = await store().getSecretMetadata('demo-api-key');
    assert.equal(meta.name, 'demo-api-key');
    assert.equal(meta.source, 'key-vault');
    assert.equal(meta.enabled, true);
    assert.equal(meta.contentType, 'text/plain');
    assert.equal(meta.valueLength, 'kv-demo-value-0123456789'.length);
    assert.equal(
      meta.fingerprint,
      createHash('sha256').update('kv-demo-value-0123456789').digest('hex').slice(0, 8),
    );
    assert.match(meta.version ?? '', /^[0-9a-f]{32}$/);
    assert.ok(meta.createdOn && !Number.isNaN(Date.parse(meta.createdOn)));
    assert.ok(!JSON.stringify(meta).includes('kv-demo-value'));

    // The credential asked the identity endpoint for a vault token AS THE MANAGED IDENTITY…
    const tokenRequest = kv.tokenRequests.at(-1)!;
    assert.equal(tokenRequest.query.get('client_id'), MI_CLIENT_ID);
    assert.equal(tokenRequest.query.get('resource'), 'https://vault.azure.net');
    assert.equal(tokenRequest.identityHeader, kv.identityHeader);
    // …and the vault saw the challenge round (no token) followed by the bearer.
    assert.equal(kv.vaultAuthorizations[0], undefined);
    assert.equal(kv.vaultAuthorizations.at(-1), `Bearer ${kv.accessToken}`);
  });

  it('maps Key Vault 404 SecretNotFound to secret_not_found', async () => {
    await assert.rejects(store().getSecretMetadata('absent-secret'), (err: unknown) => {
      assert.ok(err instanceof SecretError);
      assert.equal(err.code, 'secret_not_found');
      return true;
    });
  });

  it('refuses names Key Vault would not accept before any request', async () => {
    const before = kv.vaultAuthorizations.length;
    await assert.rejects(
      store().getSecretMetadata('../keys/x'),
      (err: unknown) => (err as SecretError).code === 'invalid_secret_name',
    );
    assert.equal(kv.vaultAuthorizations.length, before);
  });

  it('reports an unreachable/untrusted vault as secret_store_unavailable', async () => {
    const untrusted = createKeyVaultSecretStore(kv.vaultUrl, MI_CLIENT_ID, {
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });
    await assert.rejects(
      untrusted.getSecretMetadata('demo-api-key'),
      (err: unknown) => (err as SecretError).code === 'secret_store_unavailable',
    );
  });
});
