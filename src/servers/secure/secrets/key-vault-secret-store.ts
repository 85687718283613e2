import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import {
  SecretError,
  assertSecretName,
  fingerprintSecret,
  type SecretMetadata,
  type SecretStore,
} from './secret-store';

/**
 * Secrets from Azure Key Vault, read with the server's own identity (never the caller's token: MCP
 * forbids token passthrough, and the user should not need vault rights).
 */
export class KeyVaultSecretStore implements SecretStore {
  private readonly client: SecretClient;

  constructor(vaultUrl: string, credential: TokenCredential, clientOptions: SecretClientOptions = {}) {
    this.client = new SecretClient(vaultUrl, credential, clientOptions);
  }

  async getSecretMetadata(name: string): Promise<SecretMetadata> {
    assertSecretName(name);
    try {
      const secret = await this.client.getSecret(name);
      const value = secret.value ?? '';
      return {
        name: secret.name,
        version: secret.properties.version ?? null,
        enabled: secret.properties.enabled ?? true,
        createdOn: secret.properties.createdOn?.toISOString() ?? null,
        updatedOn: secret.properties.updatedOn?.toISOString() ?? null,
        contentType: secret.properties.contentType ?? null,
        valueLength: value.length,
        fingerprint: fingerprintSecret(value),
        source: 'key-vault',
      };
    } catch (err) {
      const e = err as { statusCode?: number; code?: string };
      if (e.statusCode === 404 || e.code === 'SecretNotFound') {
        throw new SecretError('secret_not_found', `No secret named '${name}' in the vault`);
      }
      // Auth/network failures: say what kind, never echo the SDK message (it may carry URLs with tokens).
      throw new SecretError(
        'secret_store_unavailable',
        `Key Vault could not be read (status ${e.statusCode ?? 'n/a'})`,
      );
    }
  }
}

/**
 * Production wiring: Key Vault through the server's user-assigned Managed Identity. `clientId` is the
 * MANAGED IDENTITY's client id — not the API app's client id. The workshop used one AZURE_CLIENT_ID for
 * both the JWT audience and the identity selector; they are different principals, so they are two
 * settings here (SHERPA_API_CLIENT_ID vs MANAGED_IDENTITY_CLIENT_ID).
 */
export function createKeyVaultSecretStore(
  vaultUrl: string,
  managedIdentityClientId: string,
  clientOptions: SecretClientOptions = {},
): KeyVaultSecretStore {
  const credential = new ManagedIdentityCredential({ clientId: managedIdentityClientId });
  return new KeyVaultSecretStore(vaultUrl, credential, clientOptions);
}
