/**
 * Which server-supplied scopes a client may ask for. The scope list comes from a stranger — a 401/403
 * challenge (RFC 6750 §3) or Protected Resource Metadata `scopes_supported` (RFC 9728 §2) — and the
 * client turns it into a token that it will then send to that stranger. So before any of it reaches a
 * sign-in or a session lookup:
 *  - every entry must be a scope-token of RFC 6749 §3.3 (printable ASCII, no space, `"` or `\`);
 *  - none may look like one of the pseudo-scopes VS Code's authentication providers read as
 *    instructions (`VSCODE_CLIENT_ID:`, `VSCODE_TENANT:`, Sherpa's own `SHERPA_*:`) — a server must not
 *    choose the client, the tenant or the session its token comes from;
 *  - for Entra ID, every non-OpenID scope must belong to the resource the PRM named: `{resource}/name`.
 *    A bare name (`User.Read`) means Microsoft Graph to Entra, `https://management.azure.com/…` is
 *    Resource Manager, and `api://{some app}/…` is whichever API that is — VS Code's microsoft provider
 *    hands out a session it already holds for it without asking. An `api://` scope is therefore accepted
 *    only when the person said it belongs to this server (`trustedApiIdentifiers`: the identifier-URI
 *    fallback for a server whose URL Entra would not take as an identifier URI). Trust is per server
 *    (trusted-apis.ts): the caller passes only what the person trusted for THIS server URL;
 *  - for Entra ID, the list as a whole must name this resource: {@link assertEntraResourceScope}.
 */
import { SherpaError } from '../errors';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const PSEUDO_SCOPE = /^(?:sherpa|vscode)_/i;
const OPENID_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export type ScopeSource = 'challenge' | 'protected-resource-metadata' | 'step-up challenge';

export interface ScopeCheckOptions {
  source: ScopeSource;
  /** The PRM `resource` Sherpa validated (RFC 9728 §3.3): the only resource the token may be for. */
  resource: string;
  /** The authorization server is Entra ID: apply the resource binding above. */
  entra: boolean;
  /** `api://…` identifier URIs the person configured as this server's API (Entra's fallback form). */
  trustedApiIdentifiers?: readonly string[];
}

/**
 * Returns the scopes unchanged (duplicates removed) or throws UNTRUSTED_SCOPE naming the first entry
 * that breaks a rule above and where it came from.
 */
export function assertServerScopes(scopes: readonly string[], o: ScopeCheckOptions): string[] {
  for (const scope of scopes) {
    const refuse = (why: string) =>
      new SherpaError(
        'UNTRUSTED_SCOPE',
        `Refusing scope ${JSON.stringify(scope.slice(0, 200))} from the ${o.source}: ${why}`,
        {
          hint: "The MCP server chose this scope. Sherpa only asks for scopes of the resource it validated; fix the server's WWW-Authenticate scope or scopes_supported.",
          details: {
            scope,
            source: o.source,
            resource: o.resource,
            // What the extension offers to trust for this server (only ever an api:// identifier).
            ...(apiIdentifierOf(scope) ? { apiIdentifier: apiIdentifierOf(scope) } : {}),
          },
        },
      );
    if (!SCOPE_TOKEN.test(scope)) throw refuse('it is not a valid scope-token (RFC 6749 §3.3)');
    if (PSEUDO_SCOPE.test(scope)) {
      throw refuse('it is a pseudo-scope that would pick the client, tenant or session of the token');
    }
    if (o.entra && !OPENID_SCOPES.has(scope.toLowerCase()) && !belongsTo(scope, o)) {
      const owner = resourceOf(scope);
      throw refuse(
        `on Entra ID it would be a token for ${owner ?? 'Microsoft Graph'}, not for ${o.resource}` +
          (owner?.toLowerCase().startsWith('api://')
            ? ` (if ${owner} is this server's API, trust it for this server: setting sherpa.entra.trustedApiIdentifiersByServer, or sherpa connect --trust-api ${owner})`
            : ''),
      );
    }
  }
  return [...new Set(scopes)];
}

/**
 * On Entra ID a sign-in with no scope of the resource is a sign-in for Microsoft Graph: Entra (and VS
 * Code's `microsoft` provider, which adds `User.Read` itself) issues a Graph token for an empty or
 * OpenID-only scope list — and the client would send it to the MCP server. So on Entra the list must hold
 * at least one scope bound to the validated resource (`{resource}/name`) or to an `api://` identifier the
 * person trusts for this server; else RESOURCE_SCOPE_MISSING. Called by the scope selection, by the
 * engine just before the grant, and by the extension's token plan as its last gate.
 * @see RFC 9728 §3.3 (the validated resource), RFC 8707 §2 (a token for one resource)
 */
export function assertEntraResourceScope(
  scopes: readonly string[],
  o: { resource: string | undefined; trustedApiIdentifiers?: readonly string[]; stage: string },
): void {
  const resource = o.resource;
  const bound =
    resource !== undefined &&
    scopes.some((s) =>
      belongsTo(s, {
        resource,
        ...(o.trustedApiIdentifiers ? { trustedApiIdentifiers: o.trustedApiIdentifiers } : {}),
      }),
    );
  if (bound) return;
  const asked = scopes.length ? scopes.join(' ') : 'no scope';
  throw new SherpaError(
    'RESOURCE_SCOPE_MISSING',
    `Refusing an Entra ID sign-in for ${resource ?? 'an unknown resource'} with ${JSON.stringify(asked.slice(0, 200))} (${o.stage}): on Entra ID that returns a Microsoft Graph token, which would be sent to the MCP server`,
    {
      hint: `The server must name a scope of its own resource (${resource ?? '{resource}'}/access_as_user) in its WWW-Authenticate scope or PRM scopes_supported; an api:// scope only counts when you trust it for this server.`,
      details: { resource, scopes: [...scopes], stage: o.stage },
    },
  );
}

/** The `api://…` identifier URI a scope belongs to, if it is one. */
function apiIdentifierOf(scope: string): string | undefined {
  const owner = resourceOf(scope);
  return owner && /^api:\/\//i.test(owner) ? owner : undefined;
}

/** `{resource}/name` for the validated resource, or an `api://…/name` the person trusted for it. */
function belongsTo(scope: string, o: Pick<ScopeCheckOptions, 'resource' | 'trustedApiIdentifiers'>): boolean {
  const owner = resourceOf(scope);
  if (!owner) return false;
  const same = (a: string, b: string) =>
    a.replace(/\/$/, '').toLowerCase() === b.replace(/\/$/, '').toLowerCase();
  if (/^api:\/\//i.test(owner)) return (o.trustedApiIdentifiers ?? []).some((t) => same(t, owner));
  return owner.replace(/\/$/, '') === o.resource.replace(/\/$/, '');
}

// Entra scope syntax: `{identifier URI}/{scope name}`; a bare name belongs to Microsoft Graph.
function resourceOf(scope: string): string | undefined {
  const i = scope.lastIndexOf('/');
  return i > 0 && scope.includes('://') ? scope.slice(0, i) : undefined;
}
