/**
 * Strict mode only: Entra checks an authorization request's RFC 8707 `resource` against the identifier
 * URI of the requested scope at /authorize, before anyone signs in, and shows AADSTS9010010 on a
 * mismatch. The lab does the same here, so that a pre-login probe (the audit's Entra doctor) predicts
 * against the lab what it would see against Entra. The post-login check in provider-config.ts stays:
 * it also covers requests that reach the token endpoint another way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkResourceMatchesScopes, type ApiApp } from './api-resources';
import { entraErrorDescription, newErrorStamp } from './entra-errors';
import { renderErrorPage } from './html-pages';

/** `entra`: the page carries Entra's trace lines under the AADSTS line, as Entra's sign-in page does. */
export function refuseResourceScopeMismatch(
  authPath: string,
  apiApps: ApiApp[],
  o: { entra?: boolean } = {},
) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const resource = url.searchParams.get('resource');
    const scope = url.searchParams.get('scope') ?? undefined;
    const mismatch =
      req.method === 'GET' && url.pathname === authPath && resource
        ? checkResourceMatchesScopes(apiApps, resource, scope, { strict: true })
        : undefined;
    if (!mismatch) return next();
    // An error page, not a redirect: the redirect_uri has not been validated yet at this point.
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      renderErrorPage(
        'invalid_target',
        o.entra ? entraErrorDescription(9010010, {}, newErrorStamp(), mismatch) : mismatch,
      ),
    );
  };
}
