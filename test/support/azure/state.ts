import { randomUUID } from 'node:crypto';

/**
 * What the Azure-shaped test server (./index.ts) knows: one subscription, one resource group holding a
 * Sherpa deployment (two container apps, identities, a vault, role assignments) and an Entra tenant
 * (app registrations, service principals, the caller). Seeded with the deployment infra/main.bicep makes
 * ({@link seedCorrectDeployment}), then bent into each defect the verifier must catch ({@link applyDefect}).
 */
export const ROLE = {
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
} as const;

export interface FakeIdentity {
  name: string;
  id: string;
  principalId: string;
  clientId: string;
}

export interface FakeContainerApp {
  name: string;
  identityIds: string[];
  env: { name: string; value?: string; secretRef?: string }[];
  args: string[];
  image: string;
  fqdn: string;
  revision: number;
  tags: Record<string, string>;
}

export interface FakeRoleAssignment {
  name: string;
  scope: string;
  roleGuid: string;
  principalId: string;
  principalType: 'ServicePrincipal' | 'User';
  /** Data-plane requests still to come before the grant takes effect there (RBAC propagation). */
  propagatesAfter: number;
  /** `properties.description` as the creator set it (Migrate Secrets marks its temporary grant there). */
  description?: string;
}

export interface FakeApplication {
  id: string;
  appId: string;
  uniqueName?: string;
  displayName: string;
  tags: string[];
  identifierUris: string[];
  signInAudience: string;
  isFallbackPublicClient?: boolean;
  api: {
    requestedAccessTokenVersion: number | null;
    oauth2PermissionScopes: Record<string, unknown>[];
    preAuthorizedApplications: { appId: string; delegatedPermissionIds: string[] }[];
  };
  appRoles: Record<string, unknown>[];
  publicClient: { redirectUris: string[] };
}

export interface AzureState {
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** The signed-in caller (what the token endpoint signs in as). */
  caller: { clientId: string; clientSecret: string; objectId: string };
  /** Caller object ids ARM refuses with 403 AuthorizationFailed (a missing Reader role). */
  armDenied: Set<string>;
  apps: FakeContainerApp[];
  identities: FakeIdentity[];
  vault: {
    name: string;
    uri: string;
    secrets: Map<string, { value: string; version: string; updated: number }>;
  };
  roleAssignments: FakeRoleAssignment[];
  applications: FakeApplication[];
  servicePrincipals: { id: string; appId: string }[];
  /** Entra refuses https identifier URIs outside verified domains (HostNameNotOnVerifiedDomain). */
  refuseUrlIdentifierUris: boolean;
  /** How many data-plane requests a new role assignment takes to reach Key Vault (propagation). */
  rbacPropagationRequests: number;
  /** Request paths (without query) to answer once with 429 + Retry-After before serving them. */
  throttleOnce: Set<string>;
}

export const rgId = (s: AzureState) => `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}`;
export const vaultId = (s: AzureState) => `${rgId(s)}/providers/Microsoft.KeyVault/vaults/${s.vault.name}`;
export const identityId = (s: AzureState, name: string) =>
  `${rgId(s)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
export const roleDefinitionId = (s: AzureState, guid: string) =>
  `/subscriptions/${s.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

export interface SeedOptions {
  /** The secure server's public MCP URL (a real Sherpa secure server in the tests). */
  secureUrl: string;
  issuer: string;
  vaultUri: string;
  /** Create the API app registration as `sherpa azure register` would (default true). */
  registered?: boolean;
  /** The API app's client id (default: a new GUID); the lab's when the secure server is the lab's. */
  apiClientId?: string;
}

/** The deployment infra/main.bicep produces, after register + configure + migrate-secrets. */
export function seedCorrectDeployment(o: SeedOptions): AzureState {
  const s: AzureState = {
    tenantId: randomUUID(),
    subscriptionId: randomUUID(),
    resourceGroup: 'rg-sherpa-test',
    location: 'eastus',
    caller: { clientId: randomUUID(), clientSecret: `secret-${randomUUID()}`, objectId: randomUUID() },
    armDenied: new Set(),
    apps: [],
    identities: [],
    vault: { name: 'kv-sherpa-abc123', uri: o.vaultUri, secrets: new Map() },
    roleAssignments: [],
    applications: [],
    servicePrincipals: [],
    refuseUrlIdentifierUris: false,
    rbacPropagationRequests: 0,
    throttleOnce: new Set(),
  };
  const identity = (name: string): FakeIdentity => ({
    name,
    id: identityId(s, name),
    principalId: randomUUID(),
    clientId: randomUUID(),
  });
  const secureIdentity = identity('id-secure-abc123');
  const vulnerableIdentity = identity('id-vulnerable-abc123');
  s.identities.push(secureIdentity, vulnerableIdentity);
  const apiClientId = o.apiClientId ?? randomUUID();
  const tenant = s.tenantId;
  const host = new URL(o.secureUrl).host;
  s.apps.push(
    {
      name: 'ca-secure-abc123',
      identityIds: [secureIdentity.id],
      args: ['serve', 'secure'],
      image: 'crsherpaabc123.azurecr.io/sherpa/secure:azd-deploy-1',
      fqdn: host,
      revision: 1,
      tags: { 'azd-service-name': 'secure' },
      env: [
        { name: 'HOST', value: '0.0.0.0' },
        { name: 'PORT', value: '8080' },
        { name: 'ALLOWED_HOSTS', value: host },
        { name: 'SHERPA_RESOURCE_URL', value: o.secureUrl },
        { name: 'SHERPA_ISSUER', value: o.issuer },
        { name: 'SHERPA_ALLOWED_TENANTS', value: tenant },
        { name: 'KEY_VAULT_URL', value: o.vaultUri },
        { name: 'MANAGED_IDENTITY_CLIENT_ID', value: secureIdentity.clientId },
        { name: 'SHERPA_API_CLIENT_ID', value: apiClientId },
      ],
    },
    {
      name: 'ca-vulnerable-abc123',
      identityIds: [vulnerableIdentity.id],
      args: ['serve', 'vulnerable'],
      image: 'crsherpaabc123.azurecr.io/sherpa/vulnerable:azd-deploy-1',
      fqdn: 'ca-vulnerable-abc123.example-env.eastus.azurecontainerapps.io',
      revision: 1,
      tags: { 'azd-service-name': 'vulnerable' },
      env: [
        { name: 'HOST', value: '0.0.0.0' },
        { name: 'PORT', value: '8080' },
        { name: 'REQUIRED_TOKEN', value: 'camp1_demo_token_INSECURE' },
      ],
    },
  );
  const registry = `${rgId(s)}/providers/Microsoft.ContainerRegistry/registries/crsherpaabc123`;
  s.roleAssignments.push(
    assignment(vaultId(s), ROLE.keyVaultSecretsUser, secureIdentity.principalId),
    assignment(registry, ROLE.acrPull, secureIdentity.principalId),
    assignment(registry, ROLE.acrPull, vulnerableIdentity.principalId),
  );
  s.vault.secrets.set('demo-api-key', secret('demo-value-1'));
  s.vault.secrets.set('external-service-secret', secret('demo-value-2'));
  if (o.registered ?? true) {
    const scopeId = randomUUID();
    s.applications.push({
      id: randomUUID(),
      appId: apiClientId,
      uniqueName: 'sherpa-mcp-api',
      displayName: 'Sherpa MCP API',
      tags: ['sherpa:mcp-api'],
      identifierUris: [`api://${apiClientId}`, o.secureUrl],
      signInAudience: 'AzureADMyOrg',
      isFallbackPublicClient: true,
      api: {
        requestedAccessTokenVersion: 2,
        oauth2PermissionScopes: [{ id: scopeId, value: 'access_as_user', type: 'User', isEnabled: true }],
        preAuthorizedApplications: [],
      },
      appRoles: [{ id: randomUUID(), value: 'Sherpa.Admin', allowedMemberTypes: ['User'], isEnabled: true }],
      publicClient: { redirectUris: ['http://localhost'] },
    });
  }
  return s;
}

export function assignment(scope: string, roleGuid: string, principalId: string): FakeRoleAssignment {
  return {
    name: randomUUID(),
    scope,
    roleGuid,
    principalId,
    principalType: 'ServicePrincipal',
    propagatesAfter: 0,
  };
}

function secret(value: string) {
  return { value, version: randomUUID().replace(/-/g, ''), updated: Math.floor(Date.now() / 1000) - 60 };
}

/** The defects `sherpa azure verify` must catch, each by exactly its own check. */
export type Defect =
  | 'shared-identity'
  | 'secret-in-env'
  | 'role-at-subscription-scope'
  | 'missing-role'
  | 'one-client-id'
  | 'identifier-uri-missing'
  | 'missing-secret'
  | 'leftover-temporary-grant';

export function applyDefect(s: AzureState, defect: Defect): void {
  const secure = s.apps.find((a) => a.name.startsWith('ca-secure'))!;
  const vulnerable = s.apps.find((a) => a.name.startsWith('ca-vulnerable'))!;
  const secureIdentity = s.identities.find((i) => i.id === secure.identityIds[0])!;
  const vaultRole = () =>
    s.roleAssignments.findIndex((r) => r.scope === vaultId(s) && r.roleGuid === ROLE.keyVaultSecretsUser);
  switch (defect) {
    case 'shared-identity': // the workshop's design: both apps carry the vault-reading identity
      vulnerable.identityIds = [secureIdentity.id];
      break;
    case 'secret-in-env':
      secure.env.push({ name: 'DEMO_API_KEY', value: 'sk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0' });
      break;
    case 'role-at-subscription-scope':
      s.roleAssignments[vaultRole()]!.scope = `/subscriptions/${s.subscriptionId}`;
      break;
    case 'missing-role':
      s.roleAssignments.splice(vaultRole(), 1);
      break;
    case 'one-client-id': // the workshop's AZURE_CLIENT_ID for both uses
      secure.env.find((e) => e.name === 'MANAGED_IDENTITY_CLIENT_ID')!.value = secure.env.find(
        (e) => e.name === 'SHERPA_API_CLIENT_ID',
      )!.value;
      break;
    case 'identifier-uri-missing':
      s.applications[0]!.identifierUris = [`https://some-other-host.example/mcp`];
      break;
    case 'missing-secret':
      s.vault.secrets.delete('external-service-secret');
      break;
    case 'leftover-temporary-grant': // Migrate Secrets was killed before it could remove its grant
      s.roleAssignments.push({
        ...assignment(vaultId(s), ROLE.keyVaultSecretsOfficer, s.caller.objectId),
        principalType: 'User',
        description: `sherpa:temporary-secrets-officer created 2026-01-01T00:00:00.000Z by sherpa azure migrate-secrets for one run; safe to delete`,
      });
      break;
  }
}
