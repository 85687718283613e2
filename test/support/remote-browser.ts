/**
 * A "browser on another machine" for integration tests: it may reach ONE origin (the port forwarder's)
 * and nothing else, keeps cookies by path as a browser does (RFC 6265 §5.1.4), follows redirects and
 * submits the lab's forms as a person would. What it proves: every page, form action, redirect and cookie
 * of a sign-in works at the forwarded address. The e2e tests do the same with Chromium and code-server.
 */
import { parseLabForms, type LabCredentials } from '../../src/lab/lab-login';

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface RemoteBrowser {
  /** Every URL requested, in order. */
  visited: string[];
  /** Every Set-Cookie the browser received, as sent. */
  setCookies: string[];
  /**
   * Opens `url`, signs in on any login form as `creds`, submits device forms, follows redirects until a
   * 2xx page without a form. Throws on a URL outside the reachable origin or on an error status.
   */
  signIn(url: string, creds: LabCredentials): Promise<{ url: string; status: number; body: string }>;
}

function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export function createRemoteBrowser(reachableOrigin: string): RemoteBrowser {
  const jar: Cookie[] = [];
  const visited: string[] = [];
  const setCookies: string[] = [];

  const store = (res: Response, url: URL) => {
    for (const line of res.headers.getSetCookie()) {
      setCookies.push(line);
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const pathAttr = attrs.find((a) => a.toLowerCase().startsWith('path='));
      const path = pathAttr ? pathAttr.slice(5) : url.pathname.replace(/\/[^/]*$/, '') || '/';
      const expired = attrs.some(
        (a) =>
          (a.toLowerCase().startsWith('max-age=') && Number(a.slice(8)) <= 0) ||
          (a.toLowerCase().startsWith('expires=') && Date.parse(a.slice(8)) < Date.now()),
      );
      const i = jar.findIndex((c) => c.name === name && c.path === path);
      if (i >= 0) jar.splice(i, 1);
      if (!expired && value !== '') jar.push({ name, value, path });
    }
  };

  const request = async (url: URL, init: RequestInit) => {
    if (url.origin !== reachableOrigin) {
      throw new Error(`the remote browser cannot reach ${url.origin} (only ${reachableOrigin}): ${url.href}`);
    }
    visited.push(url.href);
    const headers = new Headers(init.headers);
    const cookie = jar
      .filter((c) => pathMatches(c.path, url.pathname))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    if (cookie) headers.set('cookie', cookie);
    if (init.method === 'POST') headers.set('origin', reachableOrigin);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    store(res, url);
    return res;
  };

  return {
    visited,
    setCookies,
    async signIn(start, creds) {
      let url = new URL(start);
      let init: RequestInit = { method: 'GET' };
      let signedIn = false;
      for (let step = 0; step < 25; step++) {
        const res = await request(url, init);
        if (res.status >= 300 && res.status < 400) {
          await res.arrayBuffer();
          url = new URL(res.headers.get('location') ?? '', url);
          init = { method: 'GET' };
          continue;
        }
        const body = await res.text();
        if (res.status >= 400) {
          const text = body.replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, ' ').replace(/\s+/g, ' ');
          throw new Error(`HTTP ${res.status} at ${url.href}: ${text.trim().slice(0, 300)}`);
        }
        const forms = parseLabForms(body);
        const login = signedIn ? undefined : forms.find((f) => f.hasPassword);
        const form =
          login ??
          forms.find((f) => f.id === 'op.deviceInputForm' || f.id === 'op.deviceConfirmForm') ??
          (forms.length === 1 && /\.submit\(\)/.test(body) ? forms[0] : undefined);
        if (!form) return { url: url.href, status: res.status, body };
        const fields = new URLSearchParams([...form.fields]);
        if (login) {
          fields.set('username', creds.username);
          fields.set('password', creds.password);
          signedIn = true;
        }
        url = new URL(form.action, url);
        init = {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: fields.toString(),
        };
      }
      throw new Error(`gave up after 25 steps at ${url.href}`);
    },
  };
}
