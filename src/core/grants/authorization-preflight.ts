/**
 * Before a person is sent to the authorization endpoint, one GET of the same authorization request from
 * here: no cookies, no redirect followed. RFC 6749 §4.1.2.1: when the client_id or redirect_uri is not
 * valid, the authorization server MUST NOT redirect back — it shows the person an error page, and the
 * sign-in can never come back. Such a server answers that GET with a 4xx, and the sign-in ends at once
 * with AUTHORIZATION_DENIED naming the authorization request, instead of a browser page that can only
 * fail and a wait for the sign-in budget. A login page (2xx), a redirect to one or back with a code or
 * `error=` (3xx) goes on to the browser; so does a probe that could not be made (the browser may reach
 * what this process cannot), since this is a shortcut, not a gate.
 */
import type * as client from 'openid-client';
import { SherpaError } from '../errors';
import { createGuardedFetch, networkPolicyFor } from '../net/guarded-fetch';
import { toTerminalLine } from '../untrusted-text';
import { describeAuthorizationRefusal } from '../net/network-failure';

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Throws AUTHORIZATION_DENIED when the authorization endpoint refuses `url` outright (4xx). */
export async function preflightAuthorizationRequest(
  url: URL,
  o: { fetch?: client.CustomFetch; signal?: AbortSignal } = {},
): Promise<void> {
  let res: Response;
  try {
    const fetch = (o.fetch as Fetch | undefined) ?? createGuardedFetch(await networkPolicyFor(url));
    res = await fetch(url.href, {
      method: 'GET',
      headers: { accept: 'text/html,application/json' },
      redirect: 'manual',
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    return; // a redirect the guarded fetch does not follow, or no answer: the browser decides
  }
  if (res.status < 400 || res.status >= 500) {
    await res.body?.cancel().catch(() => undefined);
    return;
  }
  const description = await refusalText(res);
  const said = toTerminalLine(description, 200);
  const endpoint = `${url.origin}${url.pathname}`;
  throw new SherpaError(
    'AUTHORIZATION_DENIED',
    describeAuthorizationRefusal('authorization-request', said, { issuer: url, status: res.status }),
    {
      hint: 'The authorization request itself was refused, usually because this server does not know the client id or its redirect URI: configure a client id registered there, or let Sherpa register one (a server with dynamic client registration).',
      // The whole refusal, for whoever explains it (core/aadsts-explanations.ts reads `description`).
      details: { step: 'authorization-request', status: res.status, endpoint, description },
    },
  );
}

/** The refusal's `error`/`error_description` (RFC 6749 §5.2 shape) or the start of its text. */
async function refusalText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof body.error === 'string') {
      const d = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
      return toTerminalLine(`${body.error}${d}`, 2000);
    }
  } catch {
    // not JSON: an HTML or text page
  }
  const plain = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return toTerminalLine(plain, 2000);
}
