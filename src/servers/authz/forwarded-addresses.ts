/**
 * Where a browser on ANOTHER machine reaches the lab: the addresses a port forwarder gives it.
 *
 * When VS Code's extension host is remote (code-server, Codespaces, Remote-SSH, WSL, Dev Containers), the
 * browser cannot open http://127.0.0.1:7480; VS Code hands it a forwarded address instead
 * (`vscode.env.asExternalUri`): code-server's `http://HOST:8080/proxy/7480/…`, Codespaces'
 * `https://NAME-7480.app.github.dev/…`, a local tunnel port for Remote-SSH. Sherpa registers each such
 * address with the lab it started (over the lab's stdin, never over the network), and the lab then:
 *
 *   - accepts that forwarded authority in its Host check (any other foreign Host stays refused: DNS
 *     rebinding protection is unchanged);
 *   - builds every browser-facing URL (redirects, form actions, cookie paths) under the forwarded base,
 *     path prefix included — code-server strips `/proxy/7480` before the request reaches the lab;
 *   - accepts, for its native public clients, a redirect URI on a forwarded address of a loopback port
 *     as the loopback redirect URI it stands for (RFC 8252 §7.3): the browser can reach the forwarded
 *     form, the app receives the code on its own loopback port.
 *
 * The issuer, token endpoint and JWKS stay on loopback: only the browser uses the forwarded address.
 */
import type { IncomingMessage } from 'node:http';
import { SherpaError } from '../../core/errors';
import { isLoopbackHost } from '../../core/net/loopback';

/** One forwarded address: the browser reaches `internal` (a loopback URL) at `external`. */
export interface ForwardedAddress {
  /** Loopback base the forwarder sends to, e.g. `http://127.0.0.1:7480/`. */
  internal: string;
  /** Base the browser uses, e.g. `http://127.0.0.1:8080/proxy/7480/`. */
  external: string;
}

/** A bound on what the parent may register: a sign-in registers two, a session a handful. */
const MAX_ADDRESSES = 64;
/** Headers a forwarder may set; only the lab decides them (from a registered address), never the client. */
const FORWARDED_HEADERS = ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-prefix', 'forwarded'];

/** The forwarded base a request came through, for pages that build URLs themselves. */
const requestBases = new WeakMap<IncomingMessage, URL>();

function asBase(value: unknown, what: string): URL {
  if (typeof value !== 'string' || value.length > 2048 || !URL.canParse(value)) {
    throw new SherpaError('BAD_ARGUMENT', `${what} must be an absolute http(s) URL`);
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SherpaError('BAD_ARGUMENT', `${what} must be an http(s) URL (got ${url.protocol})`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new SherpaError('BAD_ARGUMENT', `${what} must have no credentials, query or fragment`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** Checks and normalises an address (trailing slash on both bases). Errors: BAD_ARGUMENT. */
export function parseForwardedAddress(value: unknown): ForwardedAddress {
  const v = (value ?? {}) as Partial<ForwardedAddress>;
  const internal = asBase(v.internal, 'internal');
  const external = asBase(v.external, 'external');
  if (internal.protocol !== 'http:' || !isLoopbackHost(internal.hostname) || internal.pathname !== '/') {
    throw new SherpaError(
      'BAD_ARGUMENT',
      'internal must be the http loopback origin the forwarder sends to, e.g. http://127.0.0.1:7480/',
    );
  }
  return { internal: internal.href, external: external.href };
}

/** The registry one authorization server consults on every request. */
export class ForwardedAddresses {
  readonly #entries: ForwardedAddress[] = [];

  /** @param ownPort the port this server listens on: entries for it describe how the browser reaches us. */
  constructor(private readonly ownPort: number) {}

  /** Adds (or refreshes) an address; the oldest is dropped past MAX_ADDRESSES. Errors: BAD_ARGUMENT. */
  add(value: unknown): ForwardedAddress {
    const entry = parseForwardedAddress(value);
    const i = this.#entries.findIndex((e) => e.external === entry.external);
    if (i >= 0) this.#entries.splice(i, 1);
    this.#entries.push(entry);
    if (this.#entries.length > MAX_ADDRESSES) this.#entries.shift();
    return entry;
  }

  /** Forwarded authorities (`host:port`) through which browsers reach this server: for the Host check. */
  hosts(): string[] {
    // As a browser sends it (no port for the scheme's default) and with the port spelled out.
    return this.#own().flatMap((e) => {
      const url = new URL(e.external);
      return [url.host.toLowerCase(), hostWithPort(url)];
    });
  }

  /**
   * The forwarded base a request arrived through: its Host (code-server keeps the browser's Host) or an
   * X-Forwarded-Host naming a registered address (forwarders that rewrite Host). Unregistered → undefined.
   */
  baseFor(req: IncomingMessage): URL | undefined {
    const candidates = [req.headers.host, req.headers['x-forwarded-host']]
      .flat()
      .filter((h): h is string => typeof h === 'string')
      .map((h) => h.split(',')[0]!.trim().toLowerCase());
    for (const entry of this.#own()) {
      const external = new URL(entry.external);
      if (candidates.includes(hostWithPort(external)) || candidates.includes(external.host)) return external;
    }
    return undefined;
  }

  /**
   * The loopback redirect URI a forwarded one stands for (`http://H/proxy/53123/callback` →
   * `http://127.0.0.1:53123/callback`), or undefined. Addresses of this server itself are not aliases.
   */
  toLoopback(redirectUri: string): string | undefined {
    for (const entry of this.#entries) {
      if (Number(new URL(entry.internal).port) === this.ownPort) continue;
      if (redirectUri.startsWith(entry.external)) {
        return entry.internal + redirectUri.slice(entry.external.length);
      }
    }
    return undefined;
  }

  /**
   * Connect-style middleware, after the Host check: drops forwarding headers a client sent, and for a
   * request through a registered address tells oidc-provider (koa, `proxy = true`) the browser's scheme
   * and host, and puts the stripped path prefix back in `originalUrl`, from which oidc-provider derives
   * its mount path for every URL it builds.
   */
  middleware() {
    return (req: IncomingMessage & { originalUrl?: string }, _res: unknown, next: () => void): void => {
      const base = this.baseFor(req);
      for (const h of FORWARDED_HEADERS) delete req.headers[h];
      if (base) {
        requestBases.set(req, base);
        req.headers['x-forwarded-host'] = base.host;
        req.headers['x-forwarded-proto'] = base.protocol.slice(0, -1);
        req.originalUrl = pathPrefix(base) + (req.url ?? '/');
      }
      next();
    };
  }

  #own(): ForwardedAddress[] {
    return this.#entries.filter((e) => Number(new URL(e.internal).port) === this.ownPort);
  }
}

/** The forwarded base of a request (set by the middleware), or undefined for a direct request. */
export function forwardedBaseOf(req: IncomingMessage): URL | undefined {
  return requestBases.get(req);
}

/** `/proxy/7480` for `http://h/proxy/7480/`; '' for a base at the root. */
export function pathPrefix(base: URL | undefined): string {
  return base ? base.pathname.replace(/\/$/, '') : '';
}

/**
 * Rewrites a request's URL inside the app (e.g. adding a parameter) while keeping the forwarded prefix
 * in `originalUrl`, so URLs oidc-provider builds from it still carry the prefix.
 */
export function rewriteRequestUrl(req: IncomingMessage & { originalUrl?: string }, url: string): void {
  req.url = url;
  req.originalUrl = pathPrefix(forwardedBaseOf(req)) + url;
}

function hostWithPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`.toLowerCase();
}
