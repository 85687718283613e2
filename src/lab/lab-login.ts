/**
 * Non-interactive sign-in to the LOCAL LAB's authorization server: follows the authorization request's
 * redirects with a cookie jar, fills in the lab's sign-in form with a lab user's published password, and
 * stops at the redirect back to the client. Contract of the lab's pages: src/servers/authz/interactions.ts.
 *
 * Refuses any non-loopback URL: typing a password into a form by program is only acceptable for the
 * lab's made-up users on this machine, never for a real identity provider.
 */
import { SherpaError } from '../core/errors';
import { LAB_USERS, type LabUser } from '../servers/shared/lab-defaults';
import { isLoopbackHost } from '../core/net/loopback';
import { createOutboundFetch } from '../servers/secure/auth/outbound-fetch';

export interface LabCredentials {
  username: string;
  password: string;
}

/** The lab user's credentials (LAB_USERS) → BAD_ARGUMENT for an unknown name. */
export function findLabCredentials(username: string): LabCredentials {
  const user: LabUser | undefined = LAB_USERS.find((u) => u.username === username);
  if (!user) {
    throw new SherpaError('BAD_ARGUMENT', `Unknown lab user "${username}"`, {
      hint: `Lab users: ${LAB_USERS.map((u) => u.username).join(', ')}.`,
    });
  }
  return { username: user.username, password: user.password };
}

/** Throws NOT_LOOPBACK unless `url` points at 127.0.0.0/8, ::1 or localhost. */
export function assertLoopbackUrl(url: string | URL): void {
  const u = new URL(url);
  if (!isLoopbackHost(u.hostname)) {
    throw new SherpaError(
      'NOT_LOOPBACK',
      `Refusing automated sign-in at ${u.origin}: not a loopback address`,
      {
        hint: 'Non-interactive login (--user) is only for the local lab. For a real tenant, omit --user and sign in in the browser.',
      },
    );
  }
}

/**
 * How to reach the lab when it poses as Entra ID: a fetch through the lab proxy (which sends
 * `hosts` to the lab's own TLS port and refuses everything else), and those host names. Only with such a
 * route may an automated sign-in go to a non-loopback name: the proxy guarantees it ends on this machine.
 */
export interface LabRoute {
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
  hosts: string[];
}

function assertLabUrl(url: URL, route: LabRoute | undefined): void {
  if (route?.hosts.includes(url.hostname.toLowerCase()) && url.protocol === 'https:') return;
  assertLoopbackUrl(url);
}

/** Cookie jar for one origin: enough for oidc-provider's interaction and session cookies. */
class CookieJar {
  readonly #cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        return (
          (k.toLowerCase() === 'max-age' && Number(v) <= 0) ||
          (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now())
        );
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

interface HtmlForm {
  id?: string;
  action: string;
  fields: Map<string, string>;
  hasPassword: boolean;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function readAttribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decodeEntities(m[1] ?? '') : undefined;
}

/** The forms of one of the lab's own pages (known, simple markup) with their `<input>` fields. */
export function parseLabForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const fields = new Map<string, string>();
    let hasPassword = false;
    for (const input of (m[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
      const name = readAttribute(input[0], 'name');
      if (!name) continue;
      if (readAttribute(input[0], 'type')?.toLowerCase() === 'password') hasPassword = true;
      fields.set(name, readAttribute(input[0], 'value') ?? '');
    }
    const open = `<form${m[1] ?? ''}>`;
    forms.push({
      ...(readAttribute(open, 'id') ? { id: readAttribute(open, 'id')! } : {}),
      action: readAttribute(open, 'action') ?? '',
      fields,
      hasPassword,
    });
  }
  return forms;
}

/** How a person goes through the lab's pages: `beforeTyping` runs with the login form on screen. */
export interface LabPace {
  beforeTyping?: () => Promise<void>;
}

async function walkLabPages(
  start: URL,
  creds: LabCredentials,
  stopAt?: string,
  route?: LabRoute,
  pace: LabPace = {},
): Promise<{ url: URL; body?: string }> {
  const jar = new CookieJar();
  let url = start;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < 20; step++) {
    assertLabUrl(url, route); // also on every hop: a redirect must not carry the password elsewhere
    const headers = new Headers(init.headers);
    const cookie = jar.header();
    if (cookie) headers.set('cookie', cookie);
    const res = await (route?.fetch ?? fetch)(url, { ...init, headers, redirect: 'manual' });
    jar.store(res);
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      await res.arrayBuffer();
      if (!location)
        throw new SherpaError('LOGIN_FAILED', `Redirect without Location from ${url.origin}${url.pathname}`);
      url = new URL(location, url);
      init = { method: 'GET' };
      if (stopAt && url.href.startsWith(stopAt)) return { url };
      continue;
    }
    const body = await res.text();
    const forms = parseLabForms(body);
    const autoSubmit = forms.length === 1 && /\.submit\(\)/.test(body) ? forms[0] : undefined;
    // response_mode=form_post (OAuth 2.0 Form Post Response Mode): the response is a page that posts the
    // fields to the redirect URI. Stop there and hand them back as the query the receiver would read.
    if (stopAt && autoSubmit && new URL(autoSubmit.action, url).href.startsWith(stopAt)) {
      const target = new URL(autoSubmit.action, url);
      for (const [k, v] of autoSubmit.fields) target.searchParams.set(k, v);
      return { url: target };
    }
    const login = forms.find((f) => f.hasPassword);
    if (res.status === 400 && login && init.method === 'POST') {
      throw new SherpaError('INVALID_CREDENTIALS', `The lab rejected the password of ${creds.username}`, {
        hint: 'Lab users and passwords are in src/servers/shared/lab-defaults.ts (LAB_USERS).',
      });
    }
    if (res.status !== 200) {
      throw new SherpaError(
        'LOGIN_FAILED',
        `HTTP ${res.status} from ${url.origin}${url.pathname}: ${pageText(body).slice(0, 200)}`,
        {
          hint: 'Check the client id, scopes and resource of the request.',
          details: { description: pageText(body).slice(0, 2000) },
        },
      );
    }
    // The login form, oidc-provider's device forms, or a page a browser would auto-submit by script
    // (oidc-provider's "Submitting Callback" step of the device flow).
    const form =
      login ??
      forms.find((f) => f.id === 'op.deviceInputForm' || f.id === 'op.deviceConfirmForm') ??
      autoSubmit;
    if (!form) {
      if (stopAt) throw new SherpaError('LOGIN_FAILED', `No sign-in form at ${url.origin}${url.pathname}`);
      return { url, body };
    }
    const fields = new URLSearchParams([...form.fields]);
    if (login) {
      await pace.beforeTyping?.();
      fields.set('username', creds.username);
      fields.set('password', creds.password);
    }
    url = new URL(form.action, url);
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    };
  }
  throw new SherpaError('LOGIN_FAILED', `Gave up after 20 steps at ${url.origin}${url.pathname}`);
}

/**
 * Completes an authorization request (RFC 6749 §4.1) as a lab user and returns the URL the browser would
 * be sent to (`redirect_uri?code=…&state=…&iss=…` or `?error=…`), without requesting it.
 */
export async function driveLabLogin(
  authorizationUrl: URL | string,
  creds: LabCredentials,
  route?: LabRoute,
  pace?: LabPace,
): Promise<URL> {
  const start = new URL(authorizationUrl);
  assertLabUrl(start, route);
  const redirectUri = start.searchParams.get('redirect_uri');
  if (!redirectUri) throw new SherpaError('BAD_ARGUMENT', 'The authorization URL has no redirect_uri');
  return (await walkLabPages(start, creds, redirectUri, route, pace)).url;
}

/**
 * An `openBrowser` callback for {@link loginWithAuthorizationCode} that signs in as a lab user and then
 * delivers the response to the loopback receiver, exactly as a browser would.
 */
export function labLoginBrowser(creds: LabCredentials, pace?: LabPace): (url: URL) => Promise<void> {
  return async (url) => {
    const redirect = await driveLabLogin(url, creds, undefined, pace);
    assertLoopbackUrl(redirect);
    const res = await fetch(redirect);
    await res.arrayBuffer();
  };
}

/**
 * Approves a device authorization (RFC 8628 §3.3) as a lab user via `verification_uri_complete`.
 * Resolves with the final page's HTML (the lab's "signed in" confirmation).
 */
export async function approveLabDeviceCode(
  verificationUriComplete: URL | string,
  creds: LabCredentials,
  route?: LabRoute,
): Promise<string> {
  const start = new URL(verificationUriComplete);
  assertLabUrl(start, route);
  return (await walkLabPages(start, creds, undefined, route)).body ?? '';
}

/**
 * The route to the Entra-posing lab (`startLab({ entra: true })`): fetch through the lab proxy with the lab
 * CA trusted, for `login.microsoftonline.com` only.
 */
export function entraLabRoute(entra: { proxyUrl: string; authorityHost: string }, caPem: string): LabRoute {
  return {
    fetch: createOutboundFetch({ httpsProxy: entra.proxyUrl, noProxy: '', extraCaCertificates: [caPem] }),
    hosts: [entra.authorityHost],
  };
}

/**
 * The words a person would read on an HTML error page: style sheets and scripts dropped (the lab's error
 * page starts with its CSS, which hid the AADSTS line), then tags; the five entities HTML escaping makes
 * are turned back (the result is text for a terminal, printed through untrusted-text.ts).
 */
export function pageText(html: string): string {
  return html
    .replace(/<(style|script|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, e: string) => HTML_ENTITIES[e] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

const HTML_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  '#x27': "'",
};
