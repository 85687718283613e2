/**
 * infra/main.bicep, compiled by the pinned Bicep CLI and deployed by the stand-in ARM engine, read the way
 * the tests need it: the apps by their azd service tag, their env, identities, role assignments, and the
 * Verify Deployment snapshot the real checks (src/core/azure/verify-checks.ts) run on.
 */
import { BUILT_IN_ROLES, EXPECTED_SECRET_NAMES } from '../../../src/core/azure/built-in-roles';
import type {
  AppSnapshot,
  DeploymentSnapshot,
  RoleAssignmentSnapshot,
} from '../../../src/core/azure/read-deployment';
import { azdParameters, compiledMainTemplate } from './bicep';
import {
  deployStandIn,
  type Deployment,
  type DeployedResource,
  type StandInCloud,
} from './stand-in-deployment';

export type Template = Record<string, unknown> & { resources: Record<string, unknown>[] };

export const CLOUD: StandInCloud = {
  subscriptionId: '11111111-2222-3333-4444-555555555555',
  tenantId: '6f1d4c2a-3b8e-4f7a-9c51-2d0e8b7a4f13',
};

/** The azd environment after `azd deploy` recorded the images (the second provision). */
export const AZD_ENV = {
  AZURE_ENV_NAME: 'sherpa-dev',
  AZURE_LOCATION: 'eastus',
  SERVICE_SECURE_IMAGE_NAME: 'crsherpa.azurecr.io/sherpa-mcp-identity/secure-sherpa-dev:azd-deploy-1',
  SERVICE_VULNERABLE_IMAGE_NAME: 'crsherpa.azurecr.io/sherpa-mcp-identity/vulnerable-sherpa-dev:azd-deploy-1',
};

export interface EnvVar {
  name: string;
  value?: string;
  secretRef?: string;
}

export interface SherpaDeployment extends Deployment {
  /** The compiled template this was deployed from. */
  template: Template;
  app(service: 'secure' | 'vulnerable'): DeployedResource;
  container(service: 'secure' | 'vulnerable'): Record<string, unknown> & { env: EnvVar[]; args: string[] };
  env(service: 'secure' | 'vulnerable'): Record<string, string>;
  ofType(type: string): DeployedResource[];
  one(type: string): DeployedResource;
  snapshot(): DeploymentSnapshot;
}

export function deploySherpa(
  o: { template?: Template; azdEnv?: Record<string, string>; cloud?: StandInCloud } = {},
): SherpaDeployment {
  const template = o.template ?? (compiledMainTemplate() as Template);
  const d = deployStandIn(template, azdParameters(o.azdEnv ?? AZD_ENV), o.cloud ?? CLOUD);
  const ofType = (type: string) => d.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
  const one = (type: string) => {
    const all = ofType(type);
    if (all.length !== 1) throw new Error(`${all.length} resources of type ${type}, expected 1`);
    return all[0]!;
  };
  const app = (service: string) => {
    const found = ofType('Microsoft.App/containerApps').filter(
      (a) => a.tags?.['azd-service-name'] === service,
    );
    if (found.length !== 1)
      throw new Error(`${found.length} container apps tagged azd-service-name=${service}`);
    return found[0]!;
  };
  const container = (service: string) => {
    const containers = (app(service).properties.template as { containers: unknown[] }).containers;
    if (containers.length !== 1) throw new Error(`${service}: ${containers.length} containers, expected 1`);
    return containers[0] as Record<string, unknown> & { env: EnvVar[]; args: string[] };
  };
  const env = (service: string) =>
    Object.fromEntries(container(service).env.map((e) => [e.name, e.value ?? '']));
  const snapshot = (): DeploymentSnapshot => {
    const identities = ofType('Microsoft.ManagedIdentity/userAssignedIdentities');
    const toSnapshot = (service: string): AppSnapshot => {
      const a = app(service);
      return {
        name: a.name,
        id: a.id,
        userAssigned: Object.keys(a.identity?.userAssignedIdentities ?? {}).map((id) => {
          const i = identities.find((x) => x.id.toLowerCase() === id.toLowerCase());
          return {
            id,
            principalId: i?.runtime.principalId as string,
            clientId: i?.runtime.clientId as string,
          };
        }),
        systemAssigned: /SystemAssigned/i.test(a.identity?.type ?? ''),
        env: container(service).env,
        secrets: [],
        fqdn: ((a.runtime.configuration as Record<string, unknown>).ingress as { fqdn: string }).fqdn,
      };
    };
    const roles = new Map<string, RoleAssignmentSnapshot[]>();
    for (const r of ofType('Microsoft.Authorization/roleAssignments')) {
      const p = r.properties as { principalId: string; roleDefinitionId: string };
      const scope =
        r.scope ??
        (r.resourceGroup
          ? `/subscriptions/${CLOUD.subscriptionId}/resourceGroups/${r.resourceGroup}`
          : `/subscriptions/${CLOUD.subscriptionId}`);
      roles.set(p.principalId, [
        ...(roles.get(p.principalId) ?? []),
        {
          scope,
          roleDefinitionId: p.roleDefinitionId,
          roleGuid: p.roleDefinitionId.split('/').pop()!,
          principalId: p.principalId,
        },
      ]);
    }
    const vault = one('Microsoft.KeyVault/vaults');
    return {
      subscriptionId: CLOUD.subscriptionId,
      resourceGroup: String(d.outputs.AZURE_RESOURCE_GROUP),
      secure: toSnapshot('secure'),
      vulnerable: toSnapshot('vulnerable'),
      vault: {
        id: vault.id,
        name: vault.name,
        uri: vault.runtime.vaultUri as string,
        rbac: vault.properties.enableRbacAuthorization === true,
        // Put there later by `sherpa azure migrate-secrets`, not by the template.
        secretNames: [...EXPECTED_SECRET_NAMES],
        // Temporary Secrets Officer grants exist only while migrate-secrets runs, never from the template.
        temporaryGrants: [],
      },
      roles,
    };
  };
  return { ...d, template, app, container, env, ofType, one, snapshot };
}

export const ROLE_ID = (guid: string) =>
  `/subscriptions/${CLOUD.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
export { BUILT_IN_ROLES };

/** Replaces text inside one module's JSON (parameters and inner template): a precise mutation. */
export function editModule(t: Template, name: string, from: string | RegExp, to: string): Template {
  const copy = structuredClone(t);
  const i = copy.resources.findIndex((r) => r.name === name);
  const text = JSON.stringify(copy.resources[i]);
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`mutation of module ${name} did not apply: ${String(from)}`);
  copy.resources[i] = JSON.parse(changed) as Record<string, unknown>;
  return copy;
}
