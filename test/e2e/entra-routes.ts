/**
 * The browser's side of signing in to the lab posing as Entra ID, without one request leaving loopback:
 *  - `https://login.microsoftonline.com/**` is answered by the lab's TLS port: node's https connects to
 *    127.0.0.1:PORT with SNI and Host `login.microsoftonline.com` and trusts the lab CA only, so the lab's
 *    certificate is checked as a browser would check Entra's — the name is never resolved;
 *  - `https://vscode.dev/redirect` (where VS Code's `microsoft` provider sends Entra's `form_post`) is
 *    answered here as vscode.dev does: the posted fields become query parameters of the URL in `state`
 *    (the workbench's /callback, which hands them to the provider's URI handler);
 *  - every other host is refused and recorded; loopback falls through to the workbench's own routes.
 * Every request is recorded in `asked`, so a test can assert where the browser wanted to go.
 */
import { request as httpsRequest } from 'node:https';
import type { BrowserContext, Route } from 'playwright-core';

export const ENTRA_HOST = 'login.microsoftonline.com';
const VSCODE_REDIRECT = 'https://vscode.dev/redirect';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface AskedRequest {
  method: string;
  /** Origin + path only: query strings carry codes and states. */
  url: string;
  answeredBy: 'lab' | 'vscode.dev stand-in' | 'loopback' | 'refused';
}

export interface EntraRouting {
  asked: AskedRequest[];
  /** Authorize requests the browser made (full URLs: they carry no secret, only PKCE challenges). */
  authorizeUrls: URL[];
  /** The form_post fields the vscode.dev stand-in turned into a redirect (names only: values are codes). */
  redirects: Array<{ target: string; fields: string[]; repaired: string[] }>;
  /**
   * Put back the `vscode-*` parameters that code-server's callback URI loses from `state` (see
   * {@link splitStateParameters}), taken from the last authorize request. vscode.dev cannot do this (it
   * sees only Entra's form_post): false (the default) is vscode.dev's behaviour. Can be changed any time.
   */
  repairSplitState: boolean;
}

export interface EntraRoutingOptions {
  /** The lab's TLS port that serves login.microsoftonline.com. */
  labTlsPort: number;
  /** PEM of the lab CA: the only trust anchor for that port. */
  caPem: string;
  /** code-server's origin: the only place `state` may send the browser back to. */
  codeServerOrigin: string;
}

/**
 * In code-server, the provider's callback URI is `…/callback?vscode-reqid=N&vscode-scheme=…&vscode-authority=…`
 * and VS Code appends it to the authorize URL as `&state=` + encodeURI(uri): the `?` is encoded but the `&`s
 * are not, so Entra receives `state=…/callback?vscode-reqid=N` and `vscode-scheme`, `vscode-authority` as
 * separate authorize parameters that no response carries back. These are those split-off parameters.
 */
export function splitStateParameters(authorizeUrl: URL): Array<[string, string]> {
  return [...authorizeUrl.searchParams].filter(([name]) =>
    /^vscode-(scheme|authority|path|query|fragment)$/.test(name),
  );
}

/** Installs the routes on `context` (before any page opens, so nothing slips past). */
export async function routeEntraTraffic(
  context: BrowserContext,
  o: EntraRoutingOptions,
): Promise<EntraRouting> {
  const routing: EntraRouting = { asked: [], authorizeUrls: [], redirects: [], repairSplitState: false };
  await context.route('**/*', async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const record = (answeredBy: AskedRequest['answeredBy']) =>
      routing.asked.push({ method: req.method(), url: `${url.origin}${url.pathname}`, answeredBy });
    if (url.protocol === 'data:' || url.protocol === 'blob:') return route.fallback();
    if (LOOPBACK.has(url.hostname)) {
      record('loopback');
      return route.fallback();
    }
    if (url.protocol === 'https:' && url.hostname === ENTRA_HOST && !url.port) {
      record('lab');
      if (url.pathname.endsWith('/oauth2/v2.0/authorize')) routing.authorizeUrls.push(url);
      return answerFromLab(route, o);
    }
    if (`${url.origin}${url.pathname}` === VSCODE_REDIRECT) {
      record('vscode.dev stand-in');
      return answerVscodeRedirect(route, o, routing);
    }
    record('refused');
    return route.abort('blockedbyclient');
  });
  return routing;
}

/** Sends the request to the lab's TLS port as if it were login.microsoftonline.com, and relays the answer. */
async function answerFromLab(route: Route, o: EntraRoutingOptions): Promise<void> {
  const req = route.request();
  const url = new URL(req.url());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(await req.allHeaders())) {
    if (!name.startsWith(':')) headers[name] = value;
  }
  headers.host = ENTRA_HOST;
  const body = req.postDataBuffer();
  type Answer = { status: number; headers: Record<string, string>; body: Buffer };
  const answer = await new Promise<Answer>((resolve, reject) => {
    const r = httpsRequest(
      {
        host: '127.0.0.1',
        port: o.labTlsPort,
        servername: ENTRA_HOST,
        ca: o.caPem,
        method: req.method(),
        path: `${url.pathname}${url.search}`,
        headers,
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            // Playwright splits a newline-joined set-cookie back into separate cookies.
            out[name] = Array.isArray(value) ? value.join('\n') : value;
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`the lab's TLS port did not answer ${url.pathname}`)));
    r.on('error', reject);
    r.end(body ?? undefined);
  }).catch((err: Error): Answer => ({
    status: 502,
    headers: { 'content-type': 'text/plain' },
    body: Buffer.from(`e2e: could not reach the lab for ${url.pathname}: ${err.message}`),
  }));
  const location = answer.headers.location;
  if (answer.status >= 300 && answer.status < 400 && location) {
    const rest = { ...answer.headers };
    delete rest.location;
    return navigateTo(route, new URL(location, url), rest);
  }
  await route.fulfill(answer);
}

/**
 * A redirect, relayed as a page that navigates there at once. Chromium does not route the next hop of a
 * redirect Playwright fulfilled — it would resolve login.microsoftonline.com itself — while a navigation
 * the page starts goes through these routes again. Cookies the redirect set come along (same headers);
 * the next request is a GET, as a browser makes it after a 302/303.
 */
async function navigateTo(route: Route, to: URL, headers: Record<string, string> = {}): Promise<void> {
  const href = JSON.stringify(to.href).replace(/</g, '\\u003c');
  await route.fulfill({
    status: 200,
    headers: { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><title>Redirecting</title><script>location.replace(${href})</script>`,
  });
}

/**
 * vscode.dev/redirect: Entra's form_post (code, state, client_info, session_state, or error +
 * error_description) becomes a GET to the URL in `state` with those fields added. `state` must be
 * code-server's /callback — anything else is refused (that is what keeps a code from going elsewhere).
 */
async function answerVscodeRedirect(
  route: Route,
  o: EntraRoutingOptions,
  routing: EntraRouting,
): Promise<void> {
  const req = route.request();
  const fields =
    req.method() === 'POST' ? new URLSearchParams(req.postData() ?? '') : new URL(req.url()).searchParams;
  // VS Code double-encodes the URL in `state` because Entra decodes it once (microsoft/vscode#141911):
  // vscode.dev decodes it once more.
  let target: URL;
  try {
    target = new URL(decodeURIComponent(fields.get('state') ?? ''));
  } catch {
    return route.fulfill({ status: 400, contentType: 'text/plain', body: 'state is not a URL' });
  }
  if (target.origin !== o.codeServerOrigin || !/^(\/[^/]+)?\/callback$/.test(target.pathname)) {
    return route.fulfill({ status: 400, contentType: 'text/plain', body: `state ${target.origin} refused` });
  }
  for (const [name, value] of fields) if (name !== 'state') target.searchParams.set(name, value);
  const repaired: string[] = [];
  const lastAuthorize = routing.authorizeUrls.at(-1);
  if (routing.repairSplitState && lastAuthorize) {
    for (const [name, value] of splitStateParameters(lastAuthorize)) {
      if (target.searchParams.has(name)) continue;
      target.searchParams.set(name, value);
      repaired.push(name);
    }
  }
  routing.redirects.push({
    target: `${target.origin}${target.pathname}`,
    fields: [...fields.keys()],
    repaired,
  });
  await navigateTo(route, target);
}

/** Hosts the browser asked for that were neither loopback nor answered locally (should be none). */
export function foreignRequests(routing: EntraRouting): AskedRequest[] {
  return routing.asked.filter((a) => a.answeredBy === 'refused');
}
