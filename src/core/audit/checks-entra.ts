/**
 * Entra doctor, no sign-in needed: Entra checks an authorization request's RFC 8707 `resource` against
 * the scope's identifier URI at /authorize, before anyone signs in (AADSTS9010010). So the pair the
 * server advertises (PRM `resource` + its scope) can be tried with VS Code's and Azure CLI's client ids,
 * with and without `resource`, and the answer predicts which MCP clients will be able to sign in.
 */
import * as client from 'openid-client';
import { isEntraIssuer } from '../entra';
import { isSherpaError } from '../errors';
import { createGuardedFetch } from '../net/guarded-fetch';
import { AZURE_CLIENT_ID, VSCODE_CLIENT_ID } from '../well-known-ids';
import { explainAadsts } from './checks-entra-config';
import { record, type AuditContext } from './context';
import type { Evidence } from './findings';

interface AuthorizeOutcome {
  /** `AADSTS9010010` or an OAuth error code; undefined when the sign-in page was reached. */
  error?: string;
  description?: string;
  evidence: Evidence;
}

/** What an authorization request leads to: an error (redirected or on a page) or the sign-in page. */
async function tryAuthorize(
  ctx: AuditContext,
  params: Record<string, string>,
  label: string,
): Promise<AuthorizeOutcome> {
  const endpoint = new URL(ctx.as!.metadata.authorization_endpoint!);
  for (const [k, v] of Object.entries(params)) endpoint.searchParams.set(k, v);
  const request = `GET authorization_endpoint (${label})`;
  // Same-origin redirects are the server's own pages (interaction, login); a redirect to the
  // redirect_uri carries the answer and is read, never followed.
  const doFetch = createGuardedFetch(ctx.policy, { maxRedirects: 5, timeoutMs: ctx.timeoutMs });
  try {
    const res = await doFetch(endpoint.href);
    const body = await res.text();
    const code = /AADSTS\d+/.exec(body)?.[0];
    return {
      ...(code ? { error: code, description: /AADSTS\d+:[^<"\n]*/.exec(body)?.[0] ?? code } : {}),
      evidence: { request, status: res.status, note: code ? `page shows ${code}` : signInNote(res.status) },
    };
  } catch (err) {
    if (isSherpaError(err, 'UNSAFE_REDIRECT') && typeof err.details?.to === 'string') {
      const to = new URL(err.details.to);
      const description = to.searchParams.get('error_description') ?? undefined;
      const error = /AADSTS\d+/.exec(description ?? '')?.[0] ?? to.searchParams.get('error') ?? undefined;
      return {
        ...(error ? { error } : {}),
        ...(description ? { description } : {}),
        evidence: {
          request,
          status: Number(err.details.status) || 302,
          note: error ? `redirected with ${error}` : 'redirected back without an error',
        },
      };
    }
    return {
      error: 'unreachable',
      description: (err as Error).message,
      evidence: { request, status: 'error', note: (err as Error).message },
    };
  }
}

export async function runEntraDoctor(ctx: AuditContext): Promise<void> {
  const issuer = ctx.as?.metadata.issuer;
  const applies = issuer !== undefined && (isEntraIssuer(issuer) || ctx.entraDoctor);
  if (!applies || !ctx.prm || !ctx.as?.metadata.authorization_endpoint) {
    record(ctx, 'entraResourceScope', {
      status: 'skip',
      detail: applies
        ? 'no authorization endpoint'
        : 'the authorization server is not Entra ID (--entra-doctor forces it)',
    });
    return;
  }
  const scope = ctx.challenge?.scope ?? ctx.prm.metadata.scopes_supported?.join(' ') ?? '';
  const resource = ctx.prm.metadata.resource;
  const evidence: Evidence[] = [];
  const results: { clientId: string; withResource: AuthorizeOutcome; without: AuthorizeOutcome }[] = [];
  for (const clientId of [VSCODE_CLIENT_ID, AZURE_CLIENT_ID]) {
    const base = {
      client_id: clientId,
      response_type: 'code',
      redirect_uri: 'http://localhost/',
      scope: `${scope} openid profile`.trim(),
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: client.randomState(),
    };
    const name = clientId === VSCODE_CLIENT_ID ? 'VS Code' : 'Azure CLI';
    const withResource = await tryAuthorize(
      ctx,
      { ...base, resource },
      `${name}, scope ${scope}, resource ${resource}`,
    );
    const without = await tryAuthorize(ctx, base, `${name}, scope ${scope}, no resource`);
    evidence.push(withResource.evidence, without.evidence);
    results.push({ clientId: name, withResource, without });
  }
  // Either refusal of `resource` means the same for MCP clients that send it, as the spec asks: no sign-in.
  // AADSTS9010010: the resource is another identifier URI than the scope's; AADSTS500011: it is no identifier
  // URI in the tenant at all (the PRM `resource` of an ASP.NET Core server whose App ID URI is api://…, as
  // Microsoft.Identity.Web's samples set it up — found by the interop test, which used to see a mere warning).
  const refusesResource = (o: AuthorizeOutcome) => o.error === 'AADSTS9010010' || o.error === 'AADSTS500011';
  const mismatch = results.find((r) => refusesResource(r.withResource));
  const other = results
    .flatMap((r) => [r.withResource, r.without])
    .find((o) => o.error && !refusesResource(o));
  record(ctx, 'entraResourceScope', {
    status: mismatch ? 'fail' : other ? 'warn' : 'pass',
    detail: mismatch
      ? `resource=${resource} with scope "${scope}" → ${explainAadsts(mismatch.withResource.error, { resource, scopes: scope.split(' ') })} (${mismatch.clientId} client): MCP clients that send resource, as the spec asks, cannot sign in` +
        (mismatch.without.error
          ? ''
          : "; without resource the sign-in page is reached (clients that omit it, like VS Code's microsoft provider, work)")
      : other
        ? `${other.description ?? other.error ?? ''}${other.error?.startsWith('AADSTS') ? ` (${explainAadsts(other.error, { resource, scopes: scope.split(' ') })})` : ''}`.trim()
        : 'the sign-in page is reached with and without resource, for VS Code and Azure CLI',
    evidence,
  });
}

/**
 * What a request without an AADSTS code reached. The probe follows the server's own redirects without a
 * cookie jar, so a sign-in page that needs the cookie its /authorize set may answer 4xx (the lab's does):
 * say what was seen rather than claim a sign-in page was shown.
 */
function signInNote(status: number): string {
  return status < 400 ? 'sign-in page reached' : `no AADSTS code (final page HTTP ${status})`;
}
