/**
 * What the token broker does for one token request of the connect flow, decided without any UI: which
 * VS Code authentication provider, with which scope list, and whether the person must agree first
 * (step-up). No `vscode` import, so test/unit/extension checks the decisions directly.
 */
import { isEntraIssuer, isEntraPublicCloudIssuer, tenantFromIssuer } from '../../core/entra';
import { isLabIssuer } from '../../lab/lab-issuer';
import { SherpaError } from '../../core/errors';
import { assertEntraResourceScope } from '../../core/client/scope-policy';
import { trustedApisFor, type TrustedApiIdentifiers } from '../../core/client/trusted-apis';
import { encodeSherpaScopes } from '../auth/scope-encoding';
import { ExtensionError } from '../errors';

/** The parts of core's TokenRequest the decision needs. */
export interface TokenRequestFacts {
  /** The MCP server URL: per-server trust is looked up by it. */
  serverUrl: string;
  issuer: string;
  resource?: string;
  scopes: string[];
  reason: 'initial' | 'retry' | 'step-up';
  /**
   * The token being replaced, from the engine's session with THIS server (core's TokenRequest.previous,
   * same issuer only): the one token a retry may mark as rejected. Nothing here remembers tokens across
   * requests, so another server's token is never compared or invalidated.
   */
  previous?: { accessToken: string };
}

/** Asks the person whether to sign in again for `scopes`; true = go ahead. */
export type ConfirmStepUp = (scopes: string[]) => Promise<boolean>;

export type TokenPlan =
  | {
      /** VS Code's built-in Entra ID provider. */
      provider: 'microsoft';
      /** VSCODE_CLIENT_ID / VSCODE_TENANT pseudo-scopes first, then the API scopes. */
      scopes: string[];
      /** The tenant asked for: the setting, else the issuer's, else `organizations`. */
      tenant: string;
      /** A rejected token: ask for a new session instead of the cached one. */
      forceNew: boolean;
    }
  | {
      /** Sherpa's own provider (any other authorization server). */
      provider: 'sherpa-oauth';
      /** Encoded with the issuer, resource and client (auth/scope-encoding.ts). */
      scopes: string[];
      /** The token a 401 rejected: to be marked expired so the provider refreshes it (RFC 6749 §6). */
      rejected?: string;
    };

/**
 * Step-up (RFC 6750 §3.1 `insufficient_scope`, MCP authorization "Step-up"): a server asking for more
 * scope gets it only after the person agreed. Other reasons pass without asking. Declined →
 * SIGN_IN_CANCELLED.
 */
export async function confirmStepUpIfNeeded(
  request: TokenRequestFacts,
  confirm: ConfirmStepUp,
): Promise<void> {
  if (request.reason !== 'step-up') return;
  if (await confirm(request.scopes)) return;
  throw new ExtensionError('SIGN_IN_CANCELLED', 'Step-up sign-in was declined', {
    hint: 'The tool needs the extra scope; run it again and accept the sign-in to continue.',
  });
}

/**
 * Entra ID issuers go to the `microsoft` provider with the API scope only — no RFC 8707 `resource`,
 * Entra rejects one that differs from the scope's App ID URI (AADSTS9010010); every other issuer goes to
 * `sherpa-oauth`, keyed by issuer + resource + client. The scope list for `microsoft` must hold a scope of
 * the resource (or of an `api://` identifier trusted for this server): the provider adds `User.Read` to
 * a list without one and returns a Graph token (RESOURCE_SCOPE_MISSING, core's rule applied again here as
 * the last gate before VS Code is asked).
 */
export function planTokenRequest(
  request: TokenRequestFacts,
  o: { clientId: string; tenant?: string; trustedApis?: TrustedApiIdentifiers },
): TokenPlan {
  // VS Code's microsoft provider signs in to the public cloud only; a national cloud goes to sherpa-oauth.
  if (isEntraPublicCloudIssuer(request.issuer)) {
    // The microsoft provider reads VSCODE_* entries as instructions (which client, which tenant): only
    // Sherpa may write them. Core's scope policy already refuses them from servers; this is the last gate.
    const smuggled = request.scopes.find((s) => /^vscode_/i.test(s));
    if (smuggled) {
      throw new SherpaError(
        'UNTRUSTED_SCOPE',
        `Refusing the server-chosen scope "${smuggled.slice(0, 100)}"`,
        {
          hint: 'A server cannot pick the client id or tenant of the token it will receive.',
        },
      );
    }
    assertEntraResourceScope(request.scopes, {
      resource: request.resource,
      trustedApiIdentifiers: trustedApisFor(o.trustedApis, request.serverUrl),
      stage: 'microsoft provider request',
    });
    const tenant = o.tenant ?? tenantFromIssuer(request.issuer) ?? 'organizations';
    return {
      provider: 'microsoft',
      scopes: [`VSCODE_CLIENT_ID:${o.clientId}`, `VSCODE_TENANT:${tenant}`, ...request.scopes],
      tenant,
      forceNew: request.reason !== 'initial',
    };
  }
  const rejected = request.reason === 'retry' ? request.previous?.accessToken : undefined;
  return {
    provider: 'sherpa-oauth',
    scopes: encodeSherpaScopes({
      issuer: request.issuer,
      ...(omitsResource(request, o.trustedApis) ? {} : { resource: request.resource }),
      clientId: o.clientId,
      scopes: request.scopes,
    }),
    ...(rejected ? { rejected } : {}),
  };
}

/**
 * An Entra-shaped authorization server reached through `sherpa-oauth` (the lab, a national cloud) knows an
 * API by its App ID URI only, and refuses an RFC 8707 `resource` naming the MCP server's URL (AADSTS500011 /
 * AADSTS9010010). When the person trusts an `api://` identifier for this server they have said exactly
 * that: the server's API is known there by that identifier, not by its URL. Leave the resource out then,
 * as the microsoft provider always does and as `sherpa connect --no-resource --trust-api` does (issue 17:
 * the extension could not connect to an SDK v2 server trusting the lab where the CLI could).
 */
function omitsResource(request: TokenRequestFacts, trustedApis: TrustedApiIdentifiers | undefined): boolean {
  if (!isEntraIssuer(request.issuer) && !isLabIssuer(request.issuer)) return false;
  return trustedApisFor(trustedApis, request.serverUrl).length > 0;
}
