/**
 * Signs in to the lab's authorization server the way a person with a browser would, but from a program:
 * follow redirects with a cookie jar, fill in the sign-in form (fields `username`, `password`, see
 * src/servers/authz/interactions.ts), submit oidc-provider's device-flow forms as they are.
 * Used by the integration tests; the CLI's non-interactive login does the same.
 */

export interface LabCredentials {
  username: string;
  password: string;
}

/** A failed sign-in, with a stable `code`. */
export class DriveLoginError extends Error {
  constructor(
    readonly code: 'invalid_credentials' | 'unexpected_response' | 'too_many_redirects',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DriveLoginError';
  }
}

/** Minimal cookie jar for one origin: enough for oidc-provider's interaction and session cookies. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Stores the `Set-Cookie` headers of a response (expired ones are removed). */
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

  /** The `Cookie` request header value. */
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function decodeHtmlEntities(text: string): string {
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
  return m ? decodeHtmlEntities(m[1] ?? '') : undefined;
}

interface HtmlForm {
  id?: string;
  action: string;
  fields: Map<string, string>;
  hasPassword: boolean;
}

/** The forms of a page with their `<input>` fields (buttons are not submitted). */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = `<form${m[1] ?? ''}>`;
    const fields = new Map<string, string>();
    let hasPassword = false;
    for (const input of (m[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
      const name = readAttribute(input[0], 'name');
      if (!name) continue;
      if (readAttribute(input[0], 'type')?.toLowerCase() === 'password') hasPassword = true;
      fields.set(name, readAttribute(input[0], 'value') ?? '');
    }
    forms.push({
      id: readAttribute(open, 'id'),
      action: readAttribute(open, 'action') ?? '',
      fields,
      hasPassword,
    });
  }
  return forms;
}

interface DriveOptions {
  /** Stop (without requesting it) at the first redirect to a URL starting with this. */
  stopAt?: string;
  maxSteps?: number;
}

/**
 * Walks pages from `start`: follows redirects, signs in on the login form, submits device-flow forms.
 * Returns the URL it stopped at (`stopAt` prefix) or, without `stopAt`, the last page's URL and body.
 */
async function drivePages(
  start: URL,
  creds: LabCredentials,
  o: DriveOptions,
): Promise<{ url: URL; body?: string }> {
  const jar = new CookieJar();
  let url = start;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < (o.maxSteps ?? 20); step++) {
    const headers = new Headers(init.headers);
    const cookie = jar.header();
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    jar.store(res);
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      if (!location)
        throw new DriveLoginError('unexpected_response', `redirect without Location from ${url}`);
      url = new URL(location, url);
      init = { method: 'GET' };
      await res.arrayBuffer();
      if (o.stopAt && url.href.startsWith(o.stopAt)) return { url };
      continue;
    }
    const body = await res.text();
    const forms = parseForms(body);
    const login = forms.find((f) => f.hasPassword);
    if (res.status === 400 && login && init.method === 'POST') {
      throw new DriveLoginError('invalid_credentials', `sign-in as ${creds.username} was rejected`, 400);
    }
    if (res.status !== 200) {
      throw new DriveLoginError(
        'unexpected_response',
        `HTTP ${res.status} from ${url}: ${body.slice(0, 300)}`,
        res.status,
      );
    }
    // The login form, oidc-provider's device forms, or a page that a browser would auto-submit by script.
    const autoSubmit = forms.length === 1 && /\.submit\(\)/.test(body) ? forms[0] : undefined;
    const form =
      login ??
      forms.find((f) => f.id === 'op.deviceInputForm' || f.id === 'op.deviceConfirmForm') ??
      autoSubmit;
    if (!form) {
      if (o.stopAt)
        throw new DriveLoginError('unexpected_response', `no form on ${url}: ${body.slice(0, 300)}`);
      return { url, body };
    }
    const fields = new URLSearchParams([...form.fields]);
    if (login) {
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
  throw new DriveLoginError('too_many_redirects', `gave up after ${o.maxSteps ?? 20} steps at ${url}`);
}

/**
 * Completes an authorization request (RFC 6749 §4.1) as the given lab user and returns the redirect
 * URI the server sent the browser to (`…?code=…&state=…&iss=…`, or `…?error=…`). The redirect URI itself
 * is not requested, so no loopback listener is needed.
 */
export async function driveLogin(authorizationUrl: URL | string, creds: LabCredentials): Promise<URL> {
  const start = new URL(authorizationUrl);
  const redirectUri = start.searchParams.get('redirect_uri');
  if (!redirectUri) throw new DriveLoginError('unexpected_response', 'authorization URL has no redirect_uri');
  const { url } = await drivePages(start, creds, { stopAt: redirectUri });
  return url;
}

/**
 * Approves a device authorization (RFC 8628 §3.3) as the given lab user: opens
 * `verification_uri_complete`, signs in, confirms. Resolves with the final page's HTML.
 */
export async function approveDeviceCode(
  verificationUriComplete: URL | string,
  creds: LabCredentials,
): Promise<string> {
  const { body } = await drivePages(new URL(verificationUriComplete), creds, {});
  return body ?? '';
}
