/**
 * Register Entra App: the API app registration the secure server validates tokens for, through Microsoft
 * Graph v1.0 (application upsert / update, servicePrincipal create). Idempotent: the app is found by its
 * `uniqueName` (a client-provided alternate key) and every run repairs drift instead of duplicating.
 *
 * Order matters (see /work/shared/notes/azure-facts.md, "Entra rules"): `requestedAccessTokenVersion: 2` in
 * its own request first; then `api://{appId}`, the scope and the app role; then the pre-authorised clients
 * (they reference the scope id); then, in a separate request, the secure server's URL as an identifier URI.
 * Entra may refuse that URL (HostNameNotOnVerifiedDomain: *.azurecontainerapps.io is never a verified
 * domain of a tenant; tenant policies can block it too). That is reported, and the documented fallback
 * applies: `api://{appId}` only, PRM `scopes_supported` = `api://{appId}/access_as_user` (set by configure),
 * clients omit `resource` for Entra (RFC 8707 `resource` would otherwise trip AADSTS9010010).
 */
import { randomUUID } from 'node:crypto';
import { ADMIN_ROLE, AZURE_CLIENT_ID, REQUIRED_SCOPE, VSCODE_CLIENT_ID } from '../well-known-ids';
import type { AzureContext } from './azure-context';
import { toAzureError } from './azure-errors';
import { odataString } from './azure-names';
import { GraphError, graphRequest } from './graph';

export const SHERPA_APP_TAG = 'sherpa:mcp-api';

interface Scope {
  id: string;
  value: string;
  type: string;
  isEnabled: boolean;
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName: string;
  userConsentDescription: string;
}

interface Application {
  id: string;
  appId: string;
  displayName?: string;
  tags?: string[];
  identifierUris?: string[];
  signInAudience?: string;
  isFallbackPublicClient?: boolean | null;
  api?: {
    requestedAccessTokenVersion?: number | null;
    oauth2PermissionScopes?: Scope[];
    preAuthorizedApplications?: { appId: string; delegatedPermissionIds: string[] }[];
  };
  appRoles?: { id: string; value: string; isEnabled?: boolean }[];
  publicClient?: { redirectUris?: string[] };
}

export interface RegisterAppOptions {
  /** The secure server's public MCP URL: added as an identifier URI if Entra accepts it. */
  secureUrl: string;
  /** Alternate key that makes the registration idempotent; default derived from the URL's host. */
  uniqueName?: string;
  onProgress?: (message: string) => void;
}

export interface RegisterAppResult {
  appId: string;
  objectId: string;
  uniqueName: string;
  created: boolean;
  /** Properties a second run found wrong and put back. */
  repaired: string[];
  identifierUri: { url: string; outcome: 'added' | 'present' | 'refused'; detail?: string };
  /** What PRM should advertise (configure sets SHERPA_SCOPES_SUPPORTED to it on fallback). */
  scopesSupported: string[];
  servicePrincipalCreated: boolean;
}

/** `sherpa-ca-secure-abc123` from https://ca-secure-abc123.<env>.<region>.azurecontainerapps.io/mcp */
export function defaultUniqueName(secureUrl: string): string {
  const first = new URL(secureUrl).hostname.split('.')[0]!.replace(/[^a-zA-Z0-9-]/g, '-');
  return `sherpa-${first}`.slice(0, 100);
}

type Graph = <T>(
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<T>;

/** What every step works on: the app's Graph path, progress lines and the drift a second run repaired. */
interface Step {
  graph: Graph;
  path: string;
  progress: (message: string) => void;
  created: boolean;
  repaired: string[];
}

/**
 * Registers (or repairs) the API app in steps 1–5 below, each its own Graph request where Entra needs
 * the one before it stored (azure-facts.md, "Entra rules").
 */
export async function registerEntraApp(ctx: AzureContext, o: RegisterAppOptions): Promise<RegisterAppResult> {
  const uniqueName = o.uniqueName ?? defaultUniqueName(o.secureUrl);
  const progress = o.onProgress ?? (() => {});
  const graph = graphWithRoleHint(ctx);
  const { app, created } = await findOrCreateApp(graph, uniqueName, o.secureUrl, progress);
  const step: Step = { graph, path: `/v1.0/applications/${app.id}`, progress, created, repaired: [] };
  await ensureTokenVersion(step, app);
  const { scope, identifierUris, apiUri } = await ensureApiSettings(step, app);
  await ensurePreAuthorizedClients(step, app, scope.id);
  const identifierUri = await addServerIdentifierUri(step, identifierUris, o.secureUrl);
  const servicePrincipalCreated = await ensureServicePrincipal(graph, app.appId, progress);
  return {
    appId: app.appId,
    objectId: app.id,
    uniqueName,
    created,
    repaired: step.repaired,
    identifierUri,
    scopesSupported: [`${identifierUri.outcome === 'refused' ? apiUri : o.secureUrl}/${REQUIRED_SCOPE}`],
    servicePrincipalCreated,
  };
}

/** Graph requests on `ctx`; a 403 names the role that is missing. */
function graphWithRoleHint(ctx: AzureContext): Graph {
  return async <T>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    try {
      return await graphRequest<T>(ctx, method, path, { body, headers });
    } catch (err) {
      if (err instanceof GraphError && err.status === 403) {
        throw toAzureError(
          { statusCode: 403, code: err.code, message: err.message },
          `${method} ${path.split('?')[0]}`,
          'Application Developer (delegated Application.ReadWrite.All)',
        );
      }
      throw err;
    }
  };
}

/** The app by its `uniqueName`, created (upsert, `Prefer: create-if-missing`) when there is none. */
async function findOrCreateApp(
  graph: Graph,
  uniqueName: string,
  secureUrl: string,
  progress: (message: string) => void,
): Promise<{ app: Application; created: boolean }> {
  const key = `/v1.0/applications(uniqueName=${encodeURIComponent(odataString(uniqueName))})`;
  try {
    return { app: await graph<Application>('GET', key), created: false };
  } catch (err) {
    if (!(err instanceof GraphError && err.status === 404)) throw err;
  }
  progress(`creating app registration ${uniqueName}`);
  const displayName = `Sherpa MCP API (${new URL(secureUrl).hostname.split('.')[0]})`;
  const app = await graph<Application>(
    'PATCH',
    key,
    { displayName, tags: [SHERPA_APP_TAG], signInAudience: 'AzureADMyOrg' },
    { Prefer: 'create-if-missing' },
  );
  return { app, created: true };
}

/** 1. v2 tokens, alone: Entra judges identifier URIs against the token version already stored. */
async function ensureTokenVersion(step: Step, app: Application): Promise<void> {
  if (app.api?.requestedAccessTokenVersion === 2) return;
  step.progress('setting requestedAccessTokenVersion 2');
  await step.graph('PATCH', step.path, { api: { requestedAccessTokenVersion: 2 } });
  if (!step.created) step.repaired.push('requestedAccessTokenVersion');
}

/**
 * 2. api://{appId}, the scope, the app role, public-client settings. Existing ids are kept (an enabled
 * scope cannot be replaced), so repeated runs converge.
 */
async function ensureApiSettings(
  step: Step,
  app: Application,
): Promise<{ scope: Scope; identifierUris: string[]; apiUri: string }> {
  const apiUri = `api://${app.appId}`;
  const existingScope = app.api?.oauth2PermissionScopes?.find((s) => s.value === REQUIRED_SCOPE);
  const scope: Scope = {
    id: existingScope?.id ?? randomUUID(),
    value: REQUIRED_SCOPE,
    type: 'User',
    isEnabled: true,
    adminConsentDisplayName: 'Access the Sherpa MCP server',
    adminConsentDescription: "Call the Sherpa MCP server's tools as the signed-in user.",
    userConsentDisplayName: 'Access the Sherpa MCP server',
    userConsentDescription: "Call the Sherpa MCP server's tools as you.",
  };
  const otherScopes = (app.api?.oauth2PermissionScopes ?? []).filter((s) => s.value !== REQUIRED_SCOPE);
  const role = app.appRoles?.find((r) => r.value === ADMIN_ROLE);
  const appRoles = [
    ...(app.appRoles ?? []).filter((r) => r.value !== ADMIN_ROLE),
    {
      id: role?.id ?? randomUUID(),
      value: ADMIN_ROLE,
      displayName: 'Sherpa admin',
      description: "May read any user's record through get_user_info.",
      allowedMemberTypes: ['User'],
      isEnabled: true,
    },
  ];
  const uris = app.identifierUris ?? [];
  const identifierUris = uris.includes(apiUri) ? uris : [apiUri, ...uris];
  const drift = [
    !uris.includes(apiUri) && 'identifierUris',
    (!existingScope || !existingScope.isEnabled) && 'oauth2PermissionScopes',
    (!role || role.isEnabled === false) && 'appRoles',
    app.isFallbackPublicClient !== true && 'isFallbackPublicClient',
    !(app.tags ?? []).includes(SHERPA_APP_TAG) && 'tags',
    app.signInAudience !== 'AzureADMyOrg' && 'signInAudience',
    !(app.publicClient?.redirectUris ?? []).includes('http://localhost') && 'publicClient',
  ].filter((x): x is string => !!x);
  if (drift.length) {
    step.progress(`setting ${drift.join(', ')}`);
    await step.graph('PATCH', step.path, {
      identifierUris,
      api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [...otherScopes, scope] },
      appRoles,
      isFallbackPublicClient: true,
      tags: [...new Set([...(app.tags ?? []), SHERPA_APP_TAG])],
      signInAudience: 'AzureADMyOrg',
      publicClient: {
        redirectUris: [...new Set([...(app.publicClient?.redirectUris ?? []), 'http://localhost'])],
      },
    });
    if (!step.created) step.repaired.push(...drift);
  }
  return { scope, identifierUris, apiUri };
}

/** 3. Pre-authorise VS Code and the Azure CLI for the scope (needs the scope to exist: its own request). */
async function ensurePreAuthorizedClients(step: Step, app: Application, scopeId: string): Promise<void> {
  const pre = app.api?.preAuthorizedApplications ?? [];
  const wanted = [VSCODE_CLIENT_ID, AZURE_CLIENT_ID];
  const preOk = wanted.every((id) =>
    pre.some((p) => p.appId === id && p.delegatedPermissionIds.includes(scopeId)),
  );
  if (preOk) return;
  step.progress('pre-authorising the VS Code and Azure CLI clients');
  await step.graph('PATCH', step.path, {
    api: {
      preAuthorizedApplications: [
        ...pre.filter((p) => !wanted.includes(p.appId)),
        ...wanted.map((appId) => ({ appId, delegatedPermissionIds: [scopeId] })),
      ],
    },
  });
  if (!step.created) step.repaired.push('preAuthorizedApplications');
}

/** 4. The server URL as an identifier URI, separately, so a refusal leaves everything above in place. */
async function addServerIdentifierUri(
  step: Step,
  identifierUris: string[],
  secureUrl: string,
): Promise<RegisterAppResult['identifierUri']> {
  if (identifierUris.includes(secureUrl)) return { url: secureUrl, outcome: 'present' };
  step.progress(`adding ${secureUrl} as an identifier URI`);
  try {
    await step.graph('PATCH', step.path, { identifierUris: [...identifierUris, secureUrl] });
    return { url: secureUrl, outcome: 'added' };
  } catch (err) {
    if (!(err instanceof GraphError && err.status === 400)) throw err;
    return {
      url: secureUrl,
      outcome: 'refused',
      detail: `${err.code}: ${err.message.replace(/^Graph [^:]+: /, '')}`,
    };
  }
}

/** 5. The service principal: what users consent to and what tokens are issued for, in this tenant. */
async function ensureServicePrincipal(
  graph: Graph,
  appId: string,
  progress: (message: string) => void,
): Promise<boolean> {
  const sps = await graph<{ value: { id: string }[] }>(
    'GET',
    `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq ${odataString(appId)}`)}`,
  );
  if (sps.value.length > 0) return false;
  progress('creating the service principal');
  await graph('POST', '/v1.0/servicePrincipals', { appId });
  return true;
}
