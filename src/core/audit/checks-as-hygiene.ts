/**
 * Authorization server hygiene, from its metadata and pre-login requests — nobody signs in, nothing
 * is registered: `plain` PKCE advertised (a downgrade an attacker who sees the request can use), an
 * unregistered `redirect_uri` answered with a redirect to it (an open redirector) instead of an error
 * page, `Cache-Control: no-store` at the token endpoint (probed with a code nobody issued) and what the
 * metadata says about refresh tokens for public clients. RFC 7636 §4.2 and §7.2, RFC 9700 §2.1.1, §2.2.2
 * and §4.11, RFC 6749 §4.1.2.1 and §5.1, OAuth 2.1 §4.1.2.1 and §4.3.1.
 */
import { randomBytes } from 'node:crypto';
import { isEntraV2TenantIssuer } from '../entra';
import { probeAuthorize, unusedLoopbackPort } from './authorize-probe';
import { record, type AuditContext } from './context';

/** Whether `location` leads to `redirectUri` (same origin and path; the server adds its query). */
export function redirectsTo(location: string, redirectUri: string): boolean {
  try {
    const to = new URL(location);
    const want = new URL(redirectUri);
    return to.origin === want.origin && to.pathname === want.pathname;
  } catch {
    return false;
  }
}

export async function runAuthorizationServerHygiene(ctx: AuditContext): Promise<void> {
  const meta = ctx.as?.metadata;
  if (!meta) {
    for (const key of ['asPkcePlain', 'asOpenRedirect', 'asTokenNoStore', 'asRefreshPublic'] as const)
      record(ctx, key, { status: 'skip', detail: 'no authorization server metadata' });
    return;
  }
  await probeTokenEndpointCaching(ctx, meta.token_endpoint);
  recordRefreshForPublicClients(ctx, meta);
  const methods = meta.code_challenge_methods_supported;
  record(ctx, 'asPkcePlain', {
    status: !methods ? 'skip' : methods.includes('plain') ? 'fail' : 'pass',
    detail: !methods
      ? 'no code_challenge_methods_supported (see as.pkce-s256)'
      : methods.includes('plain')
        ? `plain is advertised (${methods.join(', ')}): a client can be talked down to a challenge that equals its verifier`
        : `only ${methods.join(', ')}`,
  });

  if (!meta.authorization_endpoint) {
    record(ctx, 'asOpenRedirect', { status: 'skip', detail: 'no authorization_endpoint' });
    return;
  }
  await probeOpenRedirect(ctx, meta.authorization_endpoint);
}

/**
 * GET /authorize with a client id nobody registered and a redirect_uri on a loopback port nothing
 * listens on. The server cannot know this redirect_uri belongs to the client, so it MUST show an error
 * itself (RFC 6749 §4.1.2.1); a 3xx to it is an open redirector (RFC 9700 §4.11.2). The server's own
 * same-origin pages are followed (up to 5), a redirect elsewhere is read from Location and not followed.
 */
async function probeOpenRedirect(ctx: AuditContext, authorizationEndpoint: string): Promise<void> {
  const redirectUri = `http://127.0.0.1:${await unusedLoopbackPort()}/sherpa-audit-unregistered`;
  const request =
    'GET authorization_endpoint (unregistered client_id, redirect_uri on an unused loopback port)';
  const outcome = await probeAuthorize(ctx, authorizationEndpoint, {
    response_type: 'code',
    client_id: `sherpa-audit-unregistered-${randomBytes(6).toString('hex')}`,
    redirect_uri: redirectUri,
  });
  if (outcome.kind === 'answered') {
    record(ctx, 'asOpenRedirect', {
      status: outcome.status >= 500 ? 'warn' : 'pass',
      detail:
        outcome.status >= 500
          ? `no redirect, but a server error (${outcome.status}) instead of an error page`
          : `no redirect: the server answered itself (HTTP ${outcome.status})`,
      evidence: [{ request, status: outcome.status }],
    });
    return;
  }
  if (outcome.kind === 'failed') {
    record(ctx, 'asOpenRedirect', {
      status: 'warn',
      detail: `could not probe the authorization endpoint: ${outcome.message}`,
      evidence: [{ request, status: 'error', note: outcome.message }],
    });
    return;
  }
  const { location } = outcome;
  const open = redirectsTo(location.href, redirectUri);
  const evidence = {
    request,
    status: outcome.status,
    headers: { location: `${location.origin}${location.pathname}${location.search ? '?…' : ''}` },
    note: 'Location read, not followed',
  };
  record(ctx, 'asOpenRedirect', {
    status: open ? 'fail' : 'pass',
    detail: open
      ? `OPEN REDIRECT: redirected to the unregistered redirect_uri ${location.origin}${location.pathname}${location.searchParams.get('error') ? ` (with error=${location.searchParams.get('error')})` : ''} instead of showing an error`
      : `redirected to another origin (${location.origin}), not to the unregistered redirect_uri`,
    evidence: [evidence],
  });
}

/**
 * POST token_endpoint with an authorization code nobody issued, for an unregistered client: nothing can
 * be granted, so the answer is an RFC 6749 §5.2 error. §5.1 makes `no-store` a MUST only on responses
 * that carry tokens, which cannot be obtained without a grant; an endpoint that sends it on errors too
 * has it on every path (pass), one that does not is reported as unverified (warn: check the success
 * path). A 2xx to this request is a failure in itself — and without `no-store` a double one.
 */
async function probeTokenEndpointCaching(
  ctx: AuditContext,
  tokenEndpoint: string | undefined,
): Promise<void> {
  if (!tokenEndpoint) {
    record(ctx, 'asTokenNoStore', { status: 'skip', detail: 'no token_endpoint' });
    return;
  }
  const request =
    'POST token_endpoint (grant_type=authorization_code, a code nobody issued, unregistered client_id)';
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: randomBytes(24).toString('base64url'),
    redirect_uri: 'http://127.0.0.1/sherpa-audit-unregistered',
    client_id: `sherpa-audit-unregistered-${randomBytes(6).toString('hex')}`,
    code_verifier: randomBytes(32).toString('base64url'),
  });
  try {
    const res = await ctx.fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
    ctx.bodies.push(await res.text());
    const cacheControl = res.headers.get('cache-control') ?? '';
    const noStore = /(^|,)\s*no-store\s*(,|$)/i.test(cacheControl);
    const evidence = [
      { request, status: res.status, headers: { 'cache-control': cacheControl || '(none)' } },
    ];
    const granted = res.status >= 200 && res.status < 300;
    record(ctx, 'asTokenNoStore', {
      status: granted ? 'fail' : noStore ? 'pass' : 'warn',
      detail: granted
        ? `HTTP ${res.status} to a code nobody issued${noStore ? '' : ', without Cache-Control: no-store'}`
        : noStore
          ? `no-store even on the error response (HTTP ${res.status}): set on every path`
          : `error response (HTTP ${res.status}) without no-store (Cache-Control: ${cacheControl || 'none'}); RFC 6749 §5.1 requires it on token responses, which a pre-login probe cannot see — verify the success path`,
      evidence,
    });
  } catch (err) {
    record(ctx, 'asTokenNoStore', {
      status: 'warn',
      detail: `could not probe the token endpoint: ${(err as Error).message}`,
      evidence: [{ request, status: 'error', note: (err as Error).message }],
    });
  }
}

/**
 * Whether a public client (token_endpoint_auth_method `none`) can get refresh tokens, and whether the
 * metadata says they are sender-constrained (DPoP, RFC 9449 §5.1; mTLS, RFC 8705 §3.3). Rotation has no
 * metadata field (RFC 8414 has none), so it can only be named as the thing to verify.
 */
function recordRefreshForPublicClients(
  ctx: AuditContext,
  meta: NonNullable<AuditContext['as']>['metadata'],
): void {
  const grants = meta.grant_types_supported ?? ['authorization_code', 'implicit'];
  // RFC 8414 §2: the default token_endpoint_auth_methods_supported is client_secret_basic.
  const authMethods = meta.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const refresh = grants.includes('refresh_token');
  const publicClients = authMethods.includes('none');
  const dpop =
    Array.isArray(meta.dpop_signing_alg_values_supported) &&
    meta.dpop_signing_alg_values_supported.length > 0;
  const mtls = meta.tls_client_certificate_bound_access_tokens === true;
  if (isEntraV2TenantIssuer(meta.issuer) && !meta.grant_types_supported) {
    // Entra's metadata lists neither grant types nor `none`, so the RFC 8414 defaults would read as "no
    // refresh tokens, no public clients" — the opposite of what Entra does for VS Code and the Azure CLI.
    record(ctx, 'asRefreshPublic', {
      status: 'warn',
      detail:
        "Entra ID publishes no grant_types_supported and no `none` auth method, yet issues refresh tokens to public clients (offline_access) with nothing in the metadata binding them (no DPoP, no mTLS): rely on Entra's token lifetime and revocation policies (Conditional Access, sign-in frequency)",
    });
    return;
  }
  record(ctx, 'asRefreshPublic', {
    status: !refresh || !publicClients || dpop || mtls ? 'pass' : 'warn',
    detail: !refresh
      ? 'refresh_token is not in grant_types_supported: no refresh tokens to protect'
      : !publicClients
        ? 'no public clients (token_endpoint_auth_methods_supported lacks none): refresh tokens need client authentication'
        : dpop || mtls
          ? `public clients get refresh tokens, sender-constrained (${dpop ? 'DPoP' : 'mTLS'} advertised)`
          : 'public clients get refresh tokens and nothing in the metadata binds them (no DPoP, no mTLS): OAuth 2.1 §4.3.1 then requires rotation, which metadata cannot show — verify that a used refresh token is refused',
  });
}
