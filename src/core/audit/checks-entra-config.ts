/**
 * Entra doctor, the configuration side: what the PRM's scope says about the API app's App ID URI
 * (identifier URI) against the canonical server URL — and whether that URL can be an identifier URI at
 * all — and which access token version the app is set to issue (v1 `sts.windows.net` vs v2). Read from
 * the PRM and the person's own token, not verified here (the token matrix does that): only its claims
 * are read.
 */
import { decodeJwt } from 'jose';
import { explainEntraError, type EntraRequestContext } from '../aadsts-explanations';
import { isEntraIssuer } from '../entra';
import { normalizeUrl } from '../url';
import { record, type AuditContext } from './context';

/**
 * "AADSTS9010010 — what it means", from the one table of explanations (core/aadsts-explanations.ts), in
 * the terms of this server's resource and scope; the code alone when Sherpa has no explanation for it.
 */
export function explainAadsts(code: string | undefined, context: EntraRequestContext = {}): string {
  if (!code) return '';
  const e = explainEntraError(code, context);
  return e ? `${code} — ${e.meaning}` : code;
}

/** Hosts Azure hands out that can never be a verified domain of a tenant (identifier URI restrictions). */
const UNVERIFIABLE = [/\.azurecontainerapps\.io$/i, /\.azurewebsites\.net$/i];

export function runEntraConfigChecks(ctx: AuditContext): void {
  const issuer = ctx.as?.metadata.issuer ?? ctx.prm?.metadata.authorization_servers?.[0];
  const applies = issuer !== undefined && (isEntraIssuer(issuer) || ctx.entraDoctor);
  if (!applies || !ctx.prm) {
    const detail = ctx.prm
      ? 'the authorization server is not Entra ID (--entra-doctor forces it)'
      : 'no Protected Resource Metadata';
    for (const key of ['entraAppIdUri', 'entraTokenVersion'] as const)
      record(ctx, key, { status: 'skip', detail });
    return;
  }
  checkAppIdUri(ctx);
  checkTokenVersion(ctx, issuer);
}

function checkAppIdUri(ctx: AuditContext): void {
  const resource = ctx.prm!.metadata.resource;
  let canonical = resource;
  try {
    canonical = normalizeUrl(ctx.target);
  } catch {
    // keep the PRM's
  }
  const scopes = (ctx.challenge?.scope?.split(' ') ?? ctx.prm!.metadata.scopes_supported ?? []).filter(
    (s) => s && !['openid', 'profile', 'email', 'offline_access'].includes(s),
  );
  // The identifier URI is the scope minus its last segment: api://{id}/access_as_user → api://{id}.
  const appIdUris = [
    ...new Set(scopes.map((s) => (s.includes('/') ? s.slice(0, s.lastIndexOf('/')) : '(none: bare name)'))),
  ];
  const host = (() => {
    try {
      return new URL(canonical).hostname;
    } catch {
      return '';
    }
  })();
  const blocked = UNVERIFIABLE.some((re) => re.test(host));
  const matches =
    appIdUris.length > 0 && appIdUris.every((u) => u.replace(/\/$/, '') === canonical.replace(/\/$/, ''));
  const blocker = blocked
    ? ` ${host} can never be a verified domain, so Entra refuses it as an https identifier URI (HostNameNotOnVerifiedDomain) in tenants that enforce the restriction: use a custom domain you verify`
    : '';
  record(ctx, 'entraAppIdUri', {
    status: !appIdUris.length ? 'warn' : matches ? 'pass' : 'fail',
    detail: !appIdUris.length
      ? 'no scope advertised: the App ID URI cannot be read'
      : matches
        ? `the scope's App ID URI is the canonical server URL ${canonical}${blocked ? ` (registered although${blocker.replace(/^ /, ' ')})` : ''}`
        : `the scope's App ID URI is ${appIdUris.join(', ')} but the canonical server URL is ${canonical}: clients sending resource=${canonical} meet AADSTS9010010.${blocker}`,
  });
}

function checkTokenVersion(ctx: AuditContext, issuer: string): void {
  const v1Issuer = /^https:\/\/sts\.windows\.net\//i.test(issuer);
  let claims: { iss?: string; ver?: string } | undefined;
  try {
    claims = ctx.tokens.valid ? (decodeJwt(ctx.tokens.valid) as { iss?: string; ver?: string }) : undefined;
  } catch {
    claims = undefined; // not a JWT: the version cannot be read from it
  }
  const tokenV1 =
    claims && (claims.ver === '1.0' || /^https:\/\/sts\.windows\.net\//i.test(claims.iss ?? ''));
  if (!claims && !v1Issuer) {
    record(ctx, 'entraTokenVersion', {
      status: 'skip',
      detail: ctx.tokens.valid
        ? 'your token is not a JWT: its version cannot be read'
        : 'needs a token (--token-command): the version is a setting of the API app, not of the endpoint',
    });
    return;
  }
  record(ctx, 'entraTokenVersion', {
    status: v1Issuer || tokenV1 ? 'fail' : 'pass',
    detail: v1Issuer
      ? `the PRM names the v1 issuer ${issuer}: MCP clients discover v2 metadata, and v1 tokens carry the App ID URI as aud`
      : tokenV1
        ? `your token is v1 (iss ${claims!.iss}, ver ${claims!.ver ?? '?'}) although the issuer is ${issuer}: the API app's requestedAccessTokenVersion is null or 1, so a server validating the v2 issuer refuses it`
        : `your token is v2 (ver ${claims!.ver ?? '?'}, iss ${claims!.iss})`,
  });
}
