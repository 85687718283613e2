/**
 * The one way the audit sends the authorization endpoint a request and reads where it leads: an
 * authorization request (RFC 6749 §4.1.1) with state and an S256 challenge (RFC 7636 §4.2), the server's
 * own same-origin pages followed (up to 5), a redirect elsewhere read from Location and never followed.
 * Shared by the open-redirect probe (checks-as-hygiene) and the RFC 9207 `iss` probe (checks-registration),
 * which differ only in what request they send and how they judge the answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { isSherpaError } from '../errors';
import { createGuardedFetch } from '../net/guarded-fetch';
import type { AuditContext } from './context';

/**
 * A loopback port nothing listens on when the probe is sent: bound, read and released. Should the
 * server redirect there anyway, the audit only reads the Location header; nothing is followed.
 */
export function unusedLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** What the authorization endpoint did with the request. */
export type AuthorizeOutcome =
  /** It answered itself (no redirect off its origin): the page's status; its body is in ctx.bodies. */
  | { kind: 'answered'; status: number }
  /** It redirected off its origin: the Location, read and not followed, and the 3xx status. */
  | { kind: 'redirected'; location: URL; status: number }
  /** The request failed (network, timeout, a redirect without a usable Location). */
  | { kind: 'failed'; message: string };

/**
 * GET `authorizationEndpoint` with `params` plus a fresh state and S256 challenge. The verifier is never
 * used: no probe redeems a code.
 */
export async function probeAuthorize(
  ctx: AuditContext,
  authorizationEndpoint: string,
  params: { response_type: string; client_id: string; redirect_uri: string },
): Promise<AuthorizeOutcome> {
  const url = new URL(authorizationEndpoint);
  const verifier = randomBytes(32).toString('base64url');
  for (const [k, v] of Object.entries({
    ...params,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  const doFetch = createGuardedFetch(ctx.policy, { maxRedirects: 5, timeoutMs: ctx.timeoutMs });
  try {
    const res = await doFetch(url.href);
    ctx.bodies.push(await res.text());
    return { kind: 'answered', status: res.status };
  } catch (err) {
    const details = isSherpaError(err, 'UNSAFE_REDIRECT') ? err.details : undefined;
    const to = details?.to;
    if (typeof to !== 'string') return { kind: 'failed', message: (err as Error).message };
    return { kind: 'redirected', location: new URL(to), status: Number(details?.status) || 302 };
  }
}
