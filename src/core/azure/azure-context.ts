/**
 * One signed-in Azure context and the real SDK clients built from it, each pointed at the configured
 * endpoints (sovereign clouds, the tests' local stand-in). Clients are created lazily and reused.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import type { TokenCredential } from '@azure/identity';
import type { AzureEndpoints } from './endpoints';

export interface AzureContext {
  credential: TokenCredential;
  endpoints: AzureEndpoints;
  subscriptionId: string;
  resourceGroup: string;
  /** Per-request timeout for the live probes and Graph calls (default 15 s). */
  timeoutMs?: number;
}

export interface AzureClients {
  containerApps: ContainerAppsAPIClient;
  authorization: AuthorizationManagementClient;
  keyVault: KeyVaultManagementClient;
  identities: ManagedServiceIdentityClient;
}

const clients = new WeakMap<AzureContext, AzureClients>();

export function azureClients(ctx: AzureContext): AzureClients {
  let c = clients.get(ctx);
  if (!c) {
    const endpoint = ctx.endpoints.resourceManager;
    // Scope = `{endpoint}/.default`: a token for this Resource Manager, not for the public cloud's.
    const scopes = [`${endpoint}/.default`];
    c = {
      containerApps: new ContainerAppsAPIClient(ctx.credential, ctx.subscriptionId, {
        endpoint,
        credentialScopes: scopes,
      }),
      authorization: new AuthorizationManagementClient(ctx.credential, ctx.subscriptionId, {
        endpoint,
        credentialScopes: scopes,
      }),
      keyVault: new KeyVaultManagementClient(ctx.credential, ctx.subscriptionId, {
        endpoint,
        credentials: { scopes },
      }),
      identities: new ManagedServiceIdentityClient(ctx.credential, ctx.subscriptionId, {
        endpoint,
        credentialScopes: scopes,
      }),
    };
    clients.set(ctx, c);
  }
  return c;
}

/** Collects a paged list (the clients follow `nextLink` themselves). */
export async function listAll<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}
