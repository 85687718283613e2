/**
 * What an Entra ID refusal means and how to fix the app registration. Entra answers a bad sign-in with an
 * `AADSTS<number>` code at the start of its `error_description` (token endpoint JSON, the authorize
 * redirect's query or form post, its error page) — and VS Code's `microsoft` provider passes that text on in
 * its error message. The codes here are the ones an MCP server's app registration causes; each explanation
 * names the values Sherpa saw (PRM `resource`, scope, client, tenant) so the fix can be copied.
 *
 * Used by the CLI (`sherpa connect`) and the extension (the Connect failure notification); no `vscode` here.
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
import type { GrantStrategy } from './client/grant-strategy';
import { tenantFromIssuer } from './entra';
import { SherpaError } from './errors';
import { toTerminalLine } from './untrusted-text';

/** What Sherpa knew when the request was refused; every field optional (placeholders are used instead). */
export interface EntraRequestContext {
  /** The PRM's `resource` (RFC 9728 §2): the MCP server URL. */
  resource?: string;
  /** The scopes asked for, e.g. `https://mcp.contoso.com/mcp/access_as_user`. */
  scopes?: readonly string[];
  /** The client that signed in (VS Code's, Azure CLI's or your own). */
  clientId?: string;
  tenant?: string;
}

export interface EntraErrorExplanation {
  /** `AADSTS9010010` etc. */
  code: string;
  /** Entra's own sentence (first line of error_description, made printable), when it was in the text. */
  said?: string;
  /** What is wrong, in the terms of this request. */
  meaning: string;
  /** How to fix it: the app registration change (az CLI / Bicep), or the setting to change. */
  fix: string;
}

/** The first `AADSTS<digits>` code in `text`, if any. */
export function findAadstsCode(text: string): string | undefined {
  return /\bAADSTS(\d{5,8})\b/.exec(text)?.[0];
}

/** The identifier URI in front of the first API scope (`{identifierUri}/{name}`), as Entra reads it. */
function identifierUriOf(scopes: readonly string[] | undefined): string | undefined {
  const api = scopes?.find((s) => s.includes('://'));
  return api ? api.slice(0, api.lastIndexOf('/')) : undefined;
}

const APP_ID = '<API app id>';

type Explain = (c: Required<Pick<EntraRequestContext, 'resource'>> & EntraRequestContext) => {
  meaning: string;
  fix: string;
};

/** Makes `resource` an identifier URI of the API app and the PRM scope `{resource}/access_as_user`. */
function addIdentifierUriFix(resource: string): string {
  return (
    `Add the server URL as an identifier URI of the API app: az ad app update --id ${APP_ID} ` +
    `--identifier-uris api://${APP_ID} ${resource} (Bicep, Microsoft.Graph/applications: identifierUris: ` +
    `['api://${APP_ID}', '${resource}']), or run "sherpa azure register --secure-url ${resource}" — then advertise ` +
    `scopes_supported ["${resource}/access_as_user"] in the PRM.`
  );
}

const EXPLANATIONS: Record<string, Explain> = {
  AADSTS9010010: (c) => ({
    meaning:
      `Entra compares the request's resource (${c.resource}) with the identifier URI in front of the scope ` +
      `(${identifierUriOf(c.scopes) ?? 'the scope'}): they must be the same string. The PRM names one, the ` +
      `app registration and scopes_supported the other.`,
    fix:
      addIdentifierUriFix(c.resource) +
      ' A client may also leave resource out for Entra (Sherpa does), but MCP clients that follow the spec send it.',
  }),
  AADSTS500011: (c) => ({
    meaning:
      `No app in tenant ${c.tenant ?? '(the tenant)'} has the identifier URI ` +
      `${identifierUriOf(c.scopes) ?? c.resource}: the scope the PRM advertises names an API Entra does not know.`,
    fix:
      addIdentifierUriFix(identifierUriOf(c.scopes) ?? c.resource) +
      ' If the app is registered in another tenant, set sherpa.entra.tenant to that tenant.',
  }),
  AADSTS650053: (c) => ({
    meaning:
      `The scope was read as a scope of another API than yours — a bare scope name (or one whose identifier URI ` +
      `was dropped, as some clients do on reconnect or refresh) is taken as Microsoft Graph's ` +
      `(00000003-0000-0000-c000-000000000000), which has no such scope.`,
    fix: `Advertise and request fully qualified scopes (${c.resource}/access_as_user), never a bare name; a client that drops the prefix on reconnect needs fixing on its side.`,
  }),
  AADSTS901002: () => ({
    meaning:
      "This Entra endpoint refuses the 'resource' request parameter (the v2.0 endpoint before it honoured RFC 8707 resource indicators): the audience must come from the scope alone.",
    fix: 'Have the client omit resource for Entra (mcp-remote --disable-resource-parameter, sherpa connect --no-resource) and qualify the scope with the identifier URI.',
  }),
  AADSTS65001: (c) => ({
    meaning:
      `Nobody consented to client ${c.clientId ?? '(the client)'} using the API's scope, and the API does ` +
      `not pre-authorize that client.`,
    fix:
      `Pre-authorize the client on the API app (Expose an API → Authorized client applications; Graph ` +
      `api.preAuthorizedApplications: { appId: '${c.clientId ?? '<client id>'}', delegatedPermissionIds: ` +
      `[<access_as_user scope id>] }; "sherpa azure register" does this for VS Code and Azure CLI), or grant ` +
      `admin consent: az ad app permission admin-consent --id ${c.clientId ?? '<client id>'}.`,
  }),
  AADSTS50011: (c) => ({
    meaning: `The redirect URI of this sign-in is not registered for client ${c.clientId ?? '(the client)'}.`,
    fix:
      `Register it on the client app: az ad app update --id ${c.clientId ?? '<client id>'} ` +
      `--public-client-redirect-uris <the redirect URI in the error> (VS Code's own client is Microsoft's: ` +
      `use it with VS Code's redirect, or set sherpa.auth.clientId to your own app).`,
  }),
  AADSTS700016: (c) => ({
    meaning: `Client ${c.clientId ?? '(the client)'} does not exist in tenant ${c.tenant ?? '(the tenant)'}.`,
    fix: 'Check sherpa.auth.clientId (or --client-id) and sherpa.entra.tenant: the app must be registered in, or consented to, that tenant.',
  }),
  AADSTS70011: () => ({
    meaning: 'Entra could not read the requested scope: it must be {identifier URI}/{scope name}.',
    fix: 'Advertise fully qualified scopes in the PRM (scopes_supported ["<server URL>/access_as_user"]), never a bare name.',
  }),
  AADSTS50020: (c) => ({
    meaning: `The account is not a member or guest of tenant ${c.tenant ?? '(the tenant)'}.`,
    fix: 'Sign in with an account of that tenant, or invite the user as a guest.',
  }),
};

/** Explains the AADSTS code found in `text`, or undefined when there is none or it is not one Sherpa knows. */
export function explainEntraError(
  text: string,
  context: EntraRequestContext = {},
): EntraErrorExplanation | undefined {
  const code = findAadstsCode(text);
  const explain = code ? EXPLANATIONS[code] : undefined;
  if (!code || !explain) return undefined;
  // Entra's first sentence is the message; what follows ("This can happen if…", trace ids) is noise here.
  const line = new RegExp(`${code}:?[^\\r\\n]*`).exec(text)?.[0].replace(/^(.{40,}?\.)\s.*$/, '$1');
  const { meaning, fix } = explain({ ...context, resource: context.resource ?? '<server URL>' });
  return { code, ...(line ? { said: toTerminalLine(line, 300) } : {}), meaning, fix };
}

/**
 * A SherpaError (`ENTRA_REFUSED`) explaining `err` when its message (or its cause's) carries a known AADSTS
 * code; undefined otherwise, so the caller rethrows the original.
 */
export function toEntraError(err: unknown, context: EntraRequestContext = {}): SherpaError | undefined {
  const texts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    texts.push(e.message);
    const details = (e as { details?: { description?: unknown } }).details;
    if (typeof details?.description === 'string') texts.push(details.description);
  }
  const explained = texts.map((t) => explainEntraError(t, context)).find(Boolean);
  if (!explained) return undefined;
  return new SherpaError(
    'ENTRA_REFUSED',
    `Entra ID refused the sign-in: ${(explained.said ?? explained.code).replace(/\.+$/, '')}. ${explained.meaning}`,
    { cause: err, hint: explained.fix, details: { aadsts: explained.code } },
  );
}

/**
 * `grant` with its refusals explained: an error carrying a known AADSTS code becomes `ENTRA_REFUSED` with
 * this request's resource, scopes, client and tenant filled in. For callers whose grant knows nothing of
 * Entra (the CLI's browser and device-code sign-ins).
 */
export function explainingEntraRefusals(grant: GrantStrategy, clientId?: string): GrantStrategy {
  return {
    name: grant.name,
    grantTypes: grant.grantTypes,
    getToken: async (request) => {
      try {
        return await grant.getToken(request);
      } catch (err) {
        const tenant = tenantFromIssuer(request.issuer);
        throw (
          toEntraError(err, {
            resource: request.resource,
            scopes: request.scopes,
            clientId: clientId ?? request.client.clientId,
            ...(tenant ? { tenant } : {}),
          }) ?? err
        );
      }
    },
  };
}
