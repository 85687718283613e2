import {
  LAB_API_APP_ID_URI,
  LAB_API_CLIENT_ID,
  LAB_OTHER_API_APP_ID_URI,
  LAB_OTHER_API_CLIENT_ID,
} from '../shared/lab-defaults';
import { describeEntraError } from './entra-errors';
import { AZURE_CLIENT_ID, REQUIRED_SCOPE, VSCODE_CLIENT_ID } from '../../core/well-known-ids';

/**
 * The API app registrations the lab's tenant knows about. In Entra an API app has one client id (the
 * `aud` of its v2 tokens) and one or more identifier URIs (App ID URIs); a delegated scope is requested
 * as `{identifierUri}/{scopeName}` and appears in the token's `scp` as just `{scopeName}`.
 */
export interface ApiApp {
  /** Client id GUID: the `aud` of v2 access tokens for this API. */
  clientId: string;
  /** Identifier URIs, each usable as an RFC 8707 `resource` and as a scope prefix. */
  identifierUris: string[];
  /** Delegated scope names the API exposes (without prefix). */
  scopeNames: string[];
  /** Whether the lab's users' app roles (e.g. `Sherpa.Admin`) belong to this app. */
  carriesUserRoles: boolean;
  /**
   * Client ids the app registration pre-authorizes for its scopes (Entra's "Authorized client
   * applications"): they get tokens without a consent prompt. Entra mode enforces it (AADSTS65001).
   */
  preAuthorizedClientIds: string[];
}

/** Scopes every OpenID provider knows; everything else in a request is an API scope. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** Error description Entra returns when `resource` and the scope's App ID URI disagree. */
export const AADSTS9010010 = describeEntraError(9010010);

/** The lab's two API apps: Sherpa's own (the secure MCP server) and an unrelated one (confused deputy). */
export function createLabApiApps(o: { apiIdentifierUris?: string[] } = {}): ApiApp[] {
  return [
    {
      clientId: LAB_API_CLIENT_ID,
      identifierUris: [...new Set([LAB_API_APP_ID_URI, ...(o.apiIdentifierUris ?? [])])],
      scopeNames: [REQUIRED_SCOPE],
      carriesUserRoles: true,
      // As the README's app registration steps set it up: VS Code and Azure CLI.
      preAuthorizedClientIds: [VSCODE_CLIENT_ID, AZURE_CLIENT_ID],
    },
    {
      clientId: LAB_OTHER_API_CLIENT_ID,
      identifierUris: [LAB_OTHER_API_APP_ID_URI],
      scopeNames: [REQUIRED_SCOPE],
      carriesUserRoles: false,
      preAuthorizedClientIds: [],
    },
  ];
}

/**
 * Splits an Entra-style scope `api://…/access_as_user` into its App ID URI and scope name. A bare name
 * (`access_as_user`) has no identifier URI. The name is what follows the last `/`, as in Entra.
 */
export function parseApiScope(scope: string): { identifierUri?: string; name: string } {
  if (!scope.includes('://')) return { name: scope };
  const cut = scope.lastIndexOf('/');
  return { identifierUri: scope.slice(0, cut), name: scope.slice(cut + 1) };
}

/** The app that owns an identifier URI (exact match; Entra compares identifier URIs literally). */
export function findApiAppByIdentifier(apps: ApiApp[], identifier: string): ApiApp | undefined {
  return apps.find((app) => app.identifierUris.includes(identifier));
}

/** Every scope string a client may use for an app: bare names and `{identifierUri}/{name}` forms. */
export function listApiScopeStrings(app: ApiApp): string[] {
  return [
    ...app.scopeNames,
    ...app.identifierUris.flatMap((uri) => app.scopeNames.map((n) => `${uri}/${n}`)),
  ];
}

/** Every API scope string of every app: oidc-provider's top-level `scopes` must list them for DCR. */
export function listAllApiScopeStrings(apps: ApiApp[]): string[] {
  return [...new Set(apps.flatMap(listApiScopeStrings))];
}

/**
 * The resource an Entra-style request means when it names no RFC 8707 `resource`: the App ID URI in
 * front of its first prefixed API scope (Entra derives the audience from the scope the same way).
 * Lenient mode also reads a bare scope name (`access_as_user`) as the first app's (Sherpa's API); Entra
 * would refuse such a request, so strict mode does not.
 */
export function resolveResourceFromScope(
  apps: ApiApp[],
  scope: string | undefined,
  o: { strict: boolean } = { strict: true },
): string | undefined {
  const scopes = (scope ?? '').split(' ').filter(Boolean);
  for (const s of scopes) {
    const { identifierUri } = parseApiScope(s);
    if (identifierUri && findApiAppByIdentifier(apps, identifierUri)) return identifierUri;
  }
  const primary = apps[0];
  if (!o.strict && primary && scopes.some((s) => primary.scopeNames.includes(s))) {
    return primary.identifierUris[0];
  }
  return undefined;
}

/** The first `{identifierUri}/{name}` scope whose identifier URI belongs to no app (Entra: AADSTS500011). */
export function findUnknownIdentifierUri(apps: ApiApp[], scope: string | undefined): string | undefined {
  for (const s of (scope ?? '').split(' ').filter(Boolean)) {
    const { identifierUri } = parseApiScope(s);
    if (identifierUri && !findApiAppByIdentifier(apps, identifierUri)) return identifierUri;
  }
  return undefined;
}

/**
 * Checks that an explicit `resource` agrees with the prefixed API scopes of the same request. Strict
 * (Entra's behaviour): the scope's App ID URI must equal the resource exactly. Lenient (lab default):
 * it may be any identifier URI of the same app, so `resource=<MCP URL>` + `api://{id}/access_as_user`
 * works. Returns the Entra error description on a mismatch, undefined when they agree.
 */
export function checkResourceMatchesScopes(
  apps: ApiApp[],
  resource: string,
  scope: string | undefined,
  o: { strict: boolean },
): string | undefined {
  const app = findApiAppByIdentifier(apps, resource);
  for (const s of (scope ?? '').split(' ')) {
    const { identifierUri } = parseApiScope(s);
    if (!identifierUri) continue;
    if (o.strict ? identifierUri !== resource : !app?.identifierUris.includes(identifierUri)) {
      return AADSTS9010010;
    }
  }
  return undefined;
}

/**
 * The `scp` claim (space-separated scope names, no prefix) for the scopes granted to an API token.
 * OIDC scopes are not API permissions and never appear in `scp`.
 */
export function formatScpClaim(grantedScope: string | undefined): string {
  const names = (grantedScope ?? '')
    .split(' ')
    .filter((s) => s && !(OIDC_SCOPES as readonly string[]).includes(s))
    .map((s) => parseApiScope(s).name);
  return [...new Set(names)].join(' ');
}
