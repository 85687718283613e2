/**
 * Configure Secure Server: sets the secure app's settings through Resource Manager — a PATCH of the
 * container app (a long-running operation the client polls through Azure-AsyncOperation), which makes a
 * new revision with the same image: no rebuild. Sets only configuration:
 *  - SHERPA_API_CLIENT_ID: the API app registration's client id (the `aud` of v2 tokens);
 *  - MANAGED_IDENTITY_CLIENT_ID: the client id of the identity the app carries (repairs the workshop's
 *    single AZURE_CLIENT_ID);
 *  - SHERPA_SCOPES_SUPPORTED: `api://{appId}/access_as_user` only when Entra refused the URL as an
 *    identifier URI (the documented fallback), otherwise removed (the server's default is `{URL}/access_as_user`).
 */
import { REQUIRED_SCOPE } from '../well-known-ids';
import { azureClients, listAll, type AzureContext } from './azure-context';
import { toAzureError } from './azure-errors';
import { odataString, requireGuid } from './azure-names';
import { graphRequest } from './graph';

export interface ConfigureOptions {
  apiClientId: string;
  onProgress?: (message: string) => void;
}

export interface ConfigureResult {
  app: string;
  changed: string[];
  revision?: string;
  revisionState?: string;
  fallbackScopes: boolean;
  /** What the app's SHERPA_SCOPES_SUPPORTED now is ('' when unset): azd-env.ts keeps the azd environment in step. */
  scopesSupported: string;
}

export async function configureSecureServer(
  ctx: AzureContext,
  o: ConfigureOptions,
): Promise<ConfigureResult> {
  // Deployed as SHERPA_API_CLIENT_ID (the audience the server accepts) and put in a Graph filter: a GUID
  // or nothing — a settings value such as `x' or appId ne 'y` must not widen the query or the audience.
  const apiClientId = requireGuid(
    o.apiClientId,
    "The API app registration's client id (sherpa.azure.apiClientId / --api-client-id)",
  );
  const c = azureClients(ctx);
  const progress = o.onProgress ?? (() => {});
  const rg = ctx.resourceGroup;
  const apps = await listAll(c.containerApps.containerApps.listByResourceGroup(rg)).catch((err: unknown) => {
    throw toAzureError(err, `list the container apps in ${rg}`);
  });
  const app = apps.find((a) => a.tags?.['azd-service-name'] === 'secure');
  const container = app?.template?.containers?.[0];
  if (!app || !container) {
    throw toAzureError(
      {
        statusCode: 404,
        code: 'ResourceNotFound',
        message: 'no container app tagged azd-service-name=secure',
      },
      `find the secure app in ${rg}`,
    );
  }
  const identities = Object.values(app.identity?.userAssignedIdentities ?? {});
  const miClientId = identities.length === 1 ? identities[0]!.clientId : undefined;

  // The documented fallback applies when the URL is not an identifier URI of the app registration.
  const env = [...(container.env ?? [])];
  const get = (n: string) => env.find((e) => e.name === n)?.value;
  const resourceUrl = get('SHERPA_RESOURCE_URL') ?? `https://${app.configuration?.ingress?.fqdn}/mcp`;
  const registration = await graphRequest<{ value: { identifierUris?: string[] }[] }>(
    ctx,
    'GET',
    `/v1.0/applications?$filter=${encodeURIComponent(`appId eq ${odataString(apiClientId)}`)}`,
  );
  const uris = registration.value[0]?.identifierUris ?? [];
  const fallbackScopes = !uris.includes(resourceUrl);

  const changed: string[] = [];
  const set = (name: string, value: string | undefined) => {
    const i = env.findIndex((e) => e.name === name);
    if (value === undefined) {
      if (i >= 0) {
        env.splice(i, 1);
        changed.push(`-${name}`);
      }
    } else if (i < 0 || env[i]!.value !== value || env[i]!.secretRef) {
      if (i >= 0) env.splice(i, 1);
      env.push({ name, value });
      changed.push(name);
    }
  };
  set('SHERPA_API_CLIENT_ID', apiClientId);
  if (miClientId) set('MANAGED_IDENTITY_CLIENT_ID', miClientId);
  const scopesSupported = fallbackScopes ? `api://${apiClientId}/${REQUIRED_SCOPE}` : '';
  set('SHERPA_SCOPES_SUPPORTED', scopesSupported || undefined);

  let revision = app.latestRevisionName;
  if (changed.length) {
    progress(`updating ${app.name}: ${changed.join(', ')} (new revision, same image)`);
    const updated = await c.containerApps.containerApps
      .beginUpdateAndWait(
        rg,
        app.name!,
        {
          location: app.location,
          template: { ...app.template, containers: [{ ...container, env }] },
        },
        { updateIntervalInMs: 1000 },
      )
      .catch((err: unknown) => {
        throw toAzureError(err, `update ${app.name}`, 'Contributor');
      });
    revision = updated.latestRevisionName ?? revision;
  }
  const revisions = await listAll(c.containerApps.containerAppsRevisions.listRevisions(rg, app.name!)).catch(
    (err: unknown) => {
      throw toAzureError(err, `list the revisions of ${app.name}`);
    },
  );
  const latest = revisions.find((r) => r.name === revision) ?? revisions.at(-1);
  const revisionState = latest
    ? `${latest.name}: ${[latest.provisioningState, latest.runningState, latest.healthState].filter(Boolean).join(', ')}`
    : undefined;
  return {
    app: app.name!,
    changed,
    revision: latest?.name ?? revision,
    revisionState,
    fallbackScopes,
    scopesSupported,
  };
}
