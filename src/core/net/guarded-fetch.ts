/**
 * A `fetch` for URLs that a stranger chose. Every HTTP request Sherpa's client makes on the way to a
 * token — Protected Resource Metadata (RFC 9728), authorization server metadata (RFC 8414), client
 * registration (RFC 7591), token and device endpoints, the MCP transport itself — goes through one of
 * these, so the rules of RFC 9728 §7 / RFC 8414 §6 and the MCP spec's security considerations hold in
 * one place:
 *  - https only, plain http only to loopback (OAuth 2.1 §1.5, RFC 8252 §8.3); no credentials in URLs;
 *  - the address classes a {@link NetworkPolicy} allows (no internal or cloud-metadata address unless the
 *    person's own server is there), checked by name and, where names are resolved here, by every address;
 *  - no redirects except same-origin GETs, at most {@link FetchLimits.maxRedirects};
 *  - bounded time to the response headers and bounded body size (buffered bodies are read under a
 *    deadline; event streams are counted as they flow).
 *
 * Where names are resolved here, the connection goes to an address that was checked (pinned-fetch.ts:
 * no second lookup for DNS rebinding to answer differently). Behind a proxy the proxy resolves names, so
 * they are judged by their form only — documented in docs/limits.md.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { SherpaError } from '../errors';
import { toTerminalLine as printable } from '../untrusted-text';
import { classifyAddress, classifyHostName, type AddressClass } from './address-policy';
import { networkFailureError, toNetworkFailureError } from './network-failure';
import { createPinnedFetch } from './pinned-fetch';

export interface NetworkPolicy {
  /** Address classes besides `public` that may be reached. */
  readonly allowed: ReadonlySet<AddressClass>;
  /** Resolves a host name to its addresses; undefined: names are not resolved here (a proxy does). */
  readonly lookup?: (hostname: string) => Promise<string[]>;
  /** For messages: where the person's own server is. */
  readonly origin: string;
  /**
   * Sees every request made under this policy and its answer (each redirect hop, a refusal, a body as
   * buffered): the audit's evidence bundle (core/audit/evidence.ts) records here, so a check that makes
   * its own guarded fetch from the audit's policy is recorded too.
   */
  readonly observe?: (exchange: ObservedExchange) => void;
}

/** What {@link NetworkPolicy.observe} is shown: unredacted, so an observer must redact before keeping it. */
export interface ObservedExchange {
  via: 'guarded-fetch';
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  error?: string;
}

export interface FetchLimits {
  /** Largest body accepted, in bytes (default 1 MiB: metadata documents are a few KB). */
  maxBodyBytes?: number;
  /** Time until the response headers, and for buffered bodies until the last byte (default 10 s). */
  timeoutMs?: number;
  /** Same-origin GET redirects followed (default 0). */
  maxRedirects?: number;
  /** Let `text/event-stream` bodies stream (counted, not buffered, no deadline after the headers). */
  allowEventStream?: boolean;
}

export type GuardedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const DEFAULT_LIMITS = { maxBodyBytes: 1 << 20, timeoutMs: 10_000, maxRedirects: 0 };

async function systemLookup(hostname: string): Promise<string[]> {
  return (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * The policy for a session that starts at `userUrl`, the URL the person typed or configured: public
 * addresses, plus the class of that URL's own host (resolved unless `resolve` is false).
 */
export async function networkPolicyFor(
  userUrl: string | URL,
  options: { resolve?: boolean; lookup?: (hostname: string) => Promise<string[]> } = {},
): Promise<NetworkPolicy> {
  const u = new URL(userUrl);
  const lookup = options.resolve === false ? undefined : (options.lookup ?? systemLookup);
  const classes = new Set<AddressClass>([classifyHostName(u.hostname)]);
  if (lookup && classifyAddress(u.hostname) === undefined) {
    try {
      const resolved = (await lookup(u.hostname.replace(/^\[|\]$/g, ''))).map(
        (a) => classifyAddress(a) ?? 'public',
      );
      // A name that resolves to a public address as well does not make its other addresses "the person's
      // network": an attacker's DNS could list 127.0.0.1 and 169.254.169.254 next to a public address.
      if (resolved.length && !resolved.includes('public')) for (const c of resolved) classes.add(c);
    } catch {
      // unresolvable: the request itself will fail with a clear SERVER_UNREACHABLE
    }
  }
  classes.delete('public');
  return { allowed: classes, ...(lookup ? { lookup } : {}), origin: u.origin };
}

/** A policy that allows loopback only besides public addresses: the lab and tests. */
export const LOOPBACK_POLICY: NetworkPolicy = {
  allowed: new Set<AddressClass>(['loopback']),
  lookup: systemLookup,
  origin: 'http://127.0.0.1',
};

/**
 * Refuses a URL that is not https (or http to loopback), carries credentials, or points at an address
 * class the policy does not allow. Resolves the name when the policy has a lookup.
 */
export async function assertUrlAllowed(url: string | URL, policy: NetworkPolicy): Promise<URL> {
  return (await vetUrl(url, policy)).url;
}

/** {@link assertUrlAllowed}, with the addresses a resolved name was checked at (to connect to those). */
async function vetUrl(url: string | URL, policy: NetworkPolicy): Promise<{ url: URL; addresses?: string[] }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw unsafe(String(url), 'it is not a valid absolute URL');
  }
  const byName = classifyHostName(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && byName === 'loopback')) {
    throw new SherpaError(
      'INSECURE_TRANSPORT',
      `Refusing ${printable(u.href)}: only https, or http to a loopback address, is allowed`,
      {
        hint: 'OAuth 2.1 §1.5: metadata, tokens and MCP traffic travel over TLS; only the local lab may use plain http.',
      },
    );
  }
  if (u.username || u.password) throw unsafe(u.href, 'it carries credentials in the URL');
  const check = (cls: AddressClass, what: string) => {
    if (cls !== 'public' && !policy.allowed.has(cls)) {
      throw unsafe(u.href, `${what} is a ${cls} address and the server you chose (${policy.origin}) is not`);
    }
  };
  check(byName, u.hostname);
  if (policy.lookup && classifyAddress(u.hostname) === undefined && byName === 'public') {
    let addresses: string[];
    try {
      addresses = await policy.lookup(u.hostname);
    } catch (err) {
      // Refuse rather than let the platform resolve it again: a resolver that fails our lookup and then
      // answers the second one could name any address.
      throw (
        toNetworkFailureError(err, u) ??
        networkFailureError({ kind: 'name-not-found', code: 'lookup failed' }, u, {}, err)
      );
    }
    for (const a of addresses) check(classifyAddress(a) ?? 'public', `${u.hostname} (${a})`);
    return { url: u, addresses };
  }
  return { url: u };
}

/** A proxy named in the environment resolves names itself (and the platform's fetch may use it). */
function proxyInEnvironment(): boolean {
  const env = process.env;
  return Boolean(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
}

/**
 * Creates a fetch bound to `policy` and `limits`; see the module comment for what it enforces. Without a
 * `baseFetch`, a policy that resolves names connects to the vetted addresses (pinned-fetch.ts) unless a
 * proxy is configured in the environment; otherwise the platform's fetch is used.
 */
export function createGuardedFetch(
  policy: NetworkPolicy,
  limits: FetchLimits = {},
  baseFetch?: typeof fetch,
): GuardedFetch {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const pinned = !baseFetch && policy.lookup && !proxyInEnvironment() ? createPinnedFetch() : undefined;
  const platformFetch = baseFetch ?? pinned?.fetch ?? fetch;
  const vet = async (target: string | URL): Promise<URL> => {
    const vetted = await vetUrl(target, policy);
    if (vetted.addresses) pinned?.pin(vetted.url.hostname, vetted.addresses);
    return vetted.url;
  };
  return async (input, init = {}) => {
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const observed = policy.observe ? observation(input, init, method) : undefined;
    const observe = (hop: URL | string, o: Partial<ObservedExchange>) =>
      observed && policy.observe!({ ...observed, url: String(hop), ...o });
    let url: URL;
    try {
      url = await vet(input instanceof Request ? input.url : input);
    } catch (err) {
      observe(input instanceof Request ? input.url : input, { error: errorText(err) });
      throw err;
    }
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(
          networkFailureError({ kind: 'timed-out', code: 'deadline' }, url, { timeoutMs: l.timeoutMs }),
        ),
      l.timeoutMs,
    );
    const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    // What the observer has not been shown yet: the hop in flight and what it answered so far.
    let pending: { url: URL; seen: Partial<ObservedExchange> } | undefined = { url, seen: {} };
    const settle = (o: Partial<ObservedExchange>) => {
      if (pending) observe(pending.url, { ...pending.seen, ...o });
      pending = undefined;
    };
    try {
      for (let hop = 0; ; hop++) {
        pending = { url, seen: {} };
        const res = await platformFetch(input instanceof Request && hop === 0 ? input : url, {
          ...init,
          redirect: 'manual',
          signal,
        });
        pending.seen = { status: res.status, responseHeaders: headerObject(res.headers) };
        const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
        if (location === null) {
          const streaming =
            res.body !== null &&
            l.allowEventStream &&
            /^text\/event-stream/i.test(res.headers.get('content-type') ?? '');
          if (streaming) {
            clearTimeout(timer);
            settle({ responseBody: '(event stream: not buffered, not recorded)' });
            return countedStream(res, l.maxBodyBytes, url);
          }
          const buffered = await bufferedBody(res, l.maxBodyBytes, url);
          if (observed) settle({ responseBody: await buffered.clone().text() });
          return buffered;
        }
        await res.body?.cancel().catch(() => undefined);
        const target = new URL(location, url);
        if (
          target.origin !== url.origin ||
          (method !== 'GET' && method !== 'HEAD') ||
          hop >= l.maxRedirects
        ) {
          throw new SherpaError(
            'UNSAFE_REDIRECT',
            `${printable(url.href)} redirected to ${printable(target.href)}; not followed`,
            {
              hint: 'Metadata and OAuth endpoints must answer at the URL that names them (RFC 9728 §3, RFC 8414 §3): a redirect to another origin could send the request to an internal service.',
              details: { from: url.href, to: target.href, status: res.status },
            },
          );
        }
        settle({});
        pending = { url: target, seen: {} };
        url = await vet(target);
      }
    } catch (err) {
      const reason =
        deadline.signal.aborted && deadline.signal.reason instanceof SherpaError
          ? deadline.signal.reason
          : err instanceof SherpaError || init.signal?.aborted
            ? err
            : // The platform's "fetch failed" → one plain sentence per kind (network-failure.ts); a caller's
              // abort and this module's own refusals pass through as they are.
              (toNetworkFailureError(err, url) ?? err);
      settle({ error: errorText(reason) });
      throw reason;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The request half of an observed exchange. */
function observation(input: string | URL | Request, init: RequestInit, method: string) {
  const headers = new Headers(input instanceof Request ? input.headers : undefined);
  new Headers(init.headers).forEach((v, k) => headers.set(k, v));
  const body = init.body;
  return {
    via: 'guarded-fetch' as const,
    method,
    requestHeaders: headerObject(headers),
    ...(typeof body === 'string' || body instanceof URLSearchParams ? { requestBody: String(body) } : {}),
  };
}

function headerObject(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => (out[k] = v));
  return out;
}

const errorText = (err: unknown) =>
  err instanceof SherpaError
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? err.message
      : String(err);

const NULL_BODY = new Set([101, 204, 205, 304]);

async function bufferedBody(res: Response, max: number, url: URL): Promise<Response> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(url, max);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(url, max);
      }
      chunks.push(value);
    }
  }
  const body = NULL_BODY.has(res.status) ? null : Buffer.concat(chunks);
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

function countedStream(res: Response, max: number, url: URL): Response {
  let size = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > max) controller.error(tooLarge(url, max));
      else controller.enqueue(chunk);
    },
  });
  return new Response(res.body!.pipeThrough(counter), {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

function tooLarge(url: URL, max: number): SherpaError {
  return new SherpaError(
    'RESPONSE_TOO_LARGE',
    `${printable(url.href)} sent more than ${max} bytes; stopped reading`,
    {
      hint: 'A metadata or OAuth response is a few kilobytes; an endless or huge body is refused so it cannot exhaust memory.',
    },
  );
}

function unsafe(url: string, why: string): SherpaError {
  return new SherpaError('UNSAFE_URL', `Refusing ${printable(url)}: ${why}`, {
    hint: "URLs from a server's metadata may only lead to public addresses, or to the same kind of address as the server you chose (loopback for the local lab). Check the server's metadata.",
  });
}

const REFUSALS = new Set(['UNSAFE_URL', 'UNSAFE_REDIRECT', 'RESPONSE_TOO_LARGE', 'INSECURE_TRANSPORT']);

/**
 * The refusal of this module behind `err` (itself, or the cause a library wrapped it in), as opposed to
 * the network failing; undefined when there is none.
 */
export function guardRefusalOf(err: unknown): SherpaError | undefined {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SherpaError && REFUSALS.has(e.code)) return e;
  }
  return undefined;
}
