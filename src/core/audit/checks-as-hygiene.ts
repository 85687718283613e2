/**
 * Authorization server hygiene, from its metadata and one pre-login request — nobody signs in, nothing
 * is registered: `plain` PKCE advertised (a downgrade an attacker who sees the request can use), and
 * an unregistered `redirect_uri` answered with a redirect to it (an open redirector) instead of an error
 * page. RFC 7636 §4.2 and §7.2, RFC 9700 §2.1.1 and §4.11, RFC 6749 §4.1.2.1, OAuth 2.1 §4.1.2.1.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { isSherpaError } from '../errors';
import { createGuardedFetch } from '../net/guarded-fetch';
import { record, type AuditContext } from './context';

/**
 * A loopback port nothing listens on when the probe is sent: bound, read and released. Should the
 * server redirect there anyway, the audit only reads the Location header; nothing is followed.
 */
async function unusedLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

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
    for (const key of ['asPkcePlain', 'asOpenRedirect'] as const)
      record(ctx, key, { status: 'skip', detail: 'no authorization server metadata' });
    return;
  }
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
  const url = new URL(authorizationEndpoint);
  const verifier = randomBytes(32).toString('base64url');
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: `sherpa-audit-unregistered-${randomBytes(6).toString('hex')}`,
    redirect_uri: redirectUri,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  const request =
    'GET authorization_endpoint (unregistered client_id, redirect_uri on an unused loopback port)';
  const doFetch = createGuardedFetch(ctx.policy, { maxRedirects: 5, timeoutMs: ctx.timeoutMs });
  try {
    const res = await doFetch(url.href);
    const body = await res.text();
    ctx.bodies.push(body);
    record(ctx, 'asOpenRedirect', {
      status: res.status >= 500 ? 'warn' : 'pass',
      detail:
        res.status >= 500
          ? `no redirect, but a server error (${res.status}) instead of an error page`
          : `no redirect: the server answered itself (HTTP ${res.status})`,
      evidence: [{ request, status: res.status }],
    });
  } catch (err) {
    const details = isSherpaError(err, 'UNSAFE_REDIRECT') ? err.details : undefined;
    const to = details?.to;
    if (typeof to !== 'string') {
      record(ctx, 'asOpenRedirect', {
        status: 'warn',
        detail: `could not probe the authorization endpoint: ${(err as Error).message}`,
        evidence: [{ request, status: 'error', note: (err as Error).message }],
      });
      return;
    }
    const open = redirectsTo(to, redirectUri);
    const location = new URL(to);
    const evidence = {
      request,
      status: Number(details?.status) || 302,
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
}
