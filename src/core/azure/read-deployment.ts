/**
 * Reads a Sherpa deployment back from Azure, read-only: the two container apps (found by their azd
 * `azd-service-name` tag), the identities they carry, every role assignment of those identities in the
 * subscription, the vault, its secret names (Resource Manager lists names without values, so only
 * Reader is needed) and any temporary grant Migrate Secrets left on it, and the API app registration
 * from Microsoft Graph.
 */
import type { ContainerApp } from '@azure/arm-appcontainers';
import { azureClients, listAll, type AzureContext } from './azure-context';
import { toAzureError } from './azure-errors';
import { odataString } from './azure-names';
import { graphRequest } from './graph';
import { isTemporaryGrant } from './temporary-grant';

export interface AppSnapshot {
  name: string;
  id: string;
  /** User-assigned identity resource ids → their principal and client ids. */
  userAssigned: { id: string; principalId?: string; clientId?: string }[];
  systemAssigned: boolean;
  env: { name: string; value?: string; secretRef?: string }[];
  /** Container Apps secrets by name (values are never read): a stored value, or a Key Vault reference. */
  secrets: { name: string; keyVaultUrl?: string }[];
  fqdn?: string;
  latestRevision?: string;
  runningStatus?: string;
}

export interface RoleAssignmentSnapshot {
  scope: string;
  roleDefinitionId: string;
  /** The GUID at the end of roleDefinitionId: built-in roles are compared by id, never by name. */
  roleGuid: string;
  principalId: string;
}

export interface GraphApplication {
  id: string;
  appId: string;
  displayName?: string;
  identifierUris: string[];
  api?: {
    requestedAccessTokenVersion?: number | null;
    oauth2PermissionScopes?: { value?: string; isEnabled?: boolean }[];
  };
}

export interface DeploymentSnapshot {
  subscriptionId: string;
  resourceGroup: string;
  secure?: AppSnapshot;
  vulnerable?: AppSnapshot;
  vault?: {
    id: string;
    name: string;
    uri?: string;
    rbac: boolean;
    secretNames: string[];
    /** Temporary Secrets Officer grants Migrate Secrets left behind (interrupted run): should be none. */
    temporaryGrants: { id: string; principalId: string; description: string }[];
  };
  /** principalId → its role assignments anywhere in the subscription. */
  roles: Map<string, RoleAssignmentSnapshot[]>;
  /** The app registration whose appId is the secure app's SHERPA_API_CLIENT_ID (undefined: none found). */
  application?: GraphApplication;
  applicationError?: string;
}

/**
 * The read-only snapshot Verify Deployment checks: the two container apps, their identities as Resource
 * Manager reports them, those identities' role assignments, the key vault and the API app registration.
 */
export async function readDeployment(ctx: AzureContext): Promise<DeploymentSnapshot> {
  const c = azureClients(ctx);
  const rg = ctx.resourceGroup;
  const apps = await listAll(c.containerApps.containerApps.listByResourceGroup(rg)).catch((err: unknown) => {
    throw toAzureError(err, `list the container apps in ${rg}`);
  });
  const pick = (service: string) =>
    apps.find((a) => a.tags?.['azd-service-name'] === service) ??
    apps.find((a) => a.name?.startsWith(`ca-${service}`));
  const snapshot: DeploymentSnapshot = {
    subscriptionId: ctx.subscriptionId,
    resourceGroup: rg,
    secure: toAppSnapshot(pick('secure')),
    vulnerable: toAppSnapshot(pick('vulnerable')),
    roles: new Map(),
  };
  await refreshIdentities(c, rg, [snapshot.secure, snapshot.vulnerable]);
  snapshot.roles = await readRoleAssignments(c, [snapshot.secure, snapshot.vulnerable]);
  const vault = await readVault(c, rg);
  if (vault) snapshot.vault = vault;
  const apiClientId = snapshot.secure?.env.find((e) => e.name === 'SHERPA_API_CLIENT_ID')?.value;
  if (apiClientId) {
    try {
      const found = await graphRequest<{ value: GraphApplication[] }>(
        ctx,
        'GET',
        `/v1.0/applications?$filter=${encodeURIComponent(`appId eq ${odataString(apiClientId)}`)}`,
      );
      snapshot.application = found.value[0];
    } catch (err) {
      snapshot.applicationError = err instanceof Error ? err.message : String(err);
    }
  }
  return snapshot;
}

type Clients = ReturnType<typeof azureClients>;

function toAppSnapshot(a: ContainerApp | undefined): AppSnapshot | undefined {
  return (
    a && {
      name: a.name!,
      id: a.id!,
      userAssigned: Object.entries(a.identity?.userAssignedIdentities ?? {}).map(([id, v]) => ({
        id,
        principalId: v.principalId,
        clientId: v.clientId,
      })),
      systemAssigned: /SystemAssigned/i.test(a.identity?.type ?? ''),
      env: (a.template?.containers?.[0]?.env ?? []).map((e) => ({
        name: e.name!,
        value: e.value,
        secretRef: e.secretRef,
      })),
      secrets: (a.configuration?.secrets ?? []).map((x) => ({ name: x.name!, keyVaultUrl: x.keyVaultUrl })),
      fqdn: a.configuration?.ingress?.fqdn,
      latestRevision: a.latestRevisionName,
      runningStatus: a.runningStatus,
    }
  );
}

/** Client/principal ids as Resource Manager reports them for each identity (the app's view can be stale). */
async function refreshIdentities(c: Clients, rg: string, apps: (AppSnapshot | undefined)[]): Promise<void> {
  for (const app of apps) {
    for (const ua of app?.userAssigned ?? []) {
      const name = ua.id.split('/').pop()!;
      const identityRg = /\/resourceGroups\/([^/]+)\//i.exec(ua.id)?.[1] ?? rg;
      const found = await c.identities.userAssignedIdentities.get(identityRg, name).catch((err: unknown) => {
        throw toAzureError(err, `read the managed identity ${name}`);
      });
      ua.principalId = found.principalId ?? ua.principalId;
      ua.clientId = found.clientId ?? ua.clientId;
    }
  }
}

/** principalId → its role assignments anywhere in the subscription, for every user-assigned identity. */
async function readRoleAssignments(
  c: Clients,
  apps: (AppSnapshot | undefined)[],
): Promise<Map<string, RoleAssignmentSnapshot[]>> {
  const roles = new Map<string, RoleAssignmentSnapshot[]>();
  const principals = new Set(apps.flatMap((a) => a?.userAssigned.map((u) => u.principalId) ?? []));
  for (const principalId of principals) {
    if (!principalId) continue;
    const list = await listAll(
      c.authorization.roleAssignments.listForSubscription({
        filter: `principalId eq ${odataString(principalId)}`,
      }),
    ).catch((err: unknown) => {
      throw toAzureError(err, 'list role assignments', 'Reader');
    });
    roles.set(
      principalId,
      list.map((r) => ({
        scope: r.scope ?? '',
        roleDefinitionId: r.roleDefinitionId ?? '',
        roleGuid: (r.roleDefinitionId ?? '').split('/').pop()!.toLowerCase(),
        principalId,
      })),
    );
  }
  return roles;
}

/** The resource group's key vault: its mode, secret names (never values) and leftover temporary grants. */
async function readVault(c: Clients, rg: string): Promise<DeploymentSnapshot['vault']> {
  const vaults = await listAll(c.keyVault.vaults.listByResourceGroup(rg)).catch((err: unknown) => {
    throw toAzureError(err, `list the key vaults in ${rg}`);
  });
  const vault = vaults[0];
  if (!vault) return undefined;
  const secrets = await listAll(c.keyVault.secrets.list(rg, vault.name!)).catch((err: unknown) => {
    throw toAzureError(err, `list the secret names in ${vault.name}`);
  });
  const onVault = await listAll(c.authorization.roleAssignments.listForScope(vault.id!)).catch(
    (err: unknown) => {
      throw toAzureError(err, `list the role assignments on ${vault.name}`, 'Reader');
    },
  );
  return {
    id: vault.id!,
    name: vault.name!,
    uri: vault.properties?.vaultUri,
    rbac: vault.properties?.enableRbacAuthorization === true,
    secretNames: secrets.map((s) => s.name!).sort(),
    temporaryGrants: onVault
      .filter((r) => isTemporaryGrant(r, vault.id!))
      .map((r) => ({
        id: r.id ?? r.name ?? '',
        principalId: r.principalId ?? '',
        description: r.description ?? '',
      })),
  };
}
