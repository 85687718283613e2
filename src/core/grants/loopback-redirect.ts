/**
 * One-shot loopback redirect receiver for native apps (RFC 8252 §7.3): an http server on 127.0.0.1 with an
 * ephemeral port that waits for the authorization response, checks `state` (RFC 6749 §10.12, CSRF) and
 * shows a page saying the tab can be closed. It never touches the code itself — openid-client does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SherpaError } from '../errors';
import { describeAuthorizationRefusal } from '../net/network-failure';

export interface LoopbackRedirectOptions {
  /** The `state` sent in the authorization request; a response with another state is rejected. */
  expectedState: string;
  /** Path of the redirect URI (default `/callback`). */
  path?: string;
  /** Port to listen on (default 0: ephemeral, as RFC 8252 §7.3 allows any port for loopback). */
  port?: number;
  /** How long to wait for the browser (default 5 min) → LOGIN_TIMEOUT. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface LoopbackRedirect {
  /** The exact redirect_uri to put in the authorization request. */
  redirectUri: string;
  /** Resolves with the full callback URL (redirect URI + authorization response query). */
  callback: Promise<URL>;
  close(): Promise<void>;
}

const PAGE = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;line-height:1.5}</style></head>` +
  `<body><h1>${title}</h1><p>${body}</p></body></html>`;

const DEFAULT_PATH = '/callback';

/** The receiver's redirect URI on `port` (RFC 8252 §7.3: an IP literal, not `localhost`). */
export function loopbackRedirectUri(port: number, path = DEFAULT_PATH): string {
  return `http://127.0.0.1:${port}${path}`;
}

/** A free loopback port now, for a redirect URI registered before the receiver starts. */
export async function reserveLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The port of the first registered `http://127.0.0.1:PORT/callback` redirect URI, if any. */
export function registeredLoopbackPort(redirectUris: readonly string[] | undefined): number | undefined {
  for (const uri of redirectUris ?? []) {
    const u = URL.canParse(uri) ? new URL(uri) : undefined;
    if (u?.protocol === 'http:' && u.hostname === '127.0.0.1' && u.port && u.pathname === DEFAULT_PATH)
      return Number(u.port);
  }
  return undefined;
}

/**
 * Starts the receiver on `port` if it is free, else on an ephemeral port (a server that follows
 * RFC 8252 §7.3 accepts any); always `close()` it.
 */
export async function startLoopbackRedirectOn(
  port: number | undefined,
  options: Omit<LoopbackRedirectOptions, 'port'>,
): Promise<LoopbackRedirect> {
  if (port === undefined) return startLoopbackRedirect(options);
  try {
    return await startLoopbackRedirect({ ...options, port });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    return startLoopbackRedirect(options);
  }
}

/** Starts the receiver; always `close()` it (it also closes itself after the first valid callback). */
export async function startLoopbackRedirect(options: LoopbackRedirectOptions): Promise<LoopbackRedirect> {
  const path = options.path ?? DEFAULT_PATH;
  let settle!: { resolve: (u: URL) => void; reject: (e: unknown) => void };
  const callback = new Promise<URL>((resolve, reject) => (settle = { resolve, reject }));
  callback.catch(() => undefined); // the caller may never await it (e.g. on an earlier failure)
  let done = false;
  let redirectUri = '';

  const finish = (outcome: { url?: URL; error?: SherpaError }) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (outcome.url) settle.resolve(outcome.url);
    else settle.reject(outcome.error);
    void close();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (req.method !== 'GET' || url.pathname !== path || done) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const send = (status: number, title: string, body: string) =>
      res
        .writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'close',
        })
        .end(PAGE(title, body));
    const { page, outcome } = judgeCallback(url, options.expectedState);
    send(page.status, page.title, page.body);
    finish(outcome);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  redirectUri = loopbackRedirectUri(port, path);

  let closed: Promise<void> | undefined;
  // Responses carry `connection: close`, so closing idle sockets lets the last page reach the browser.
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }));

  const timer = setTimeout(
    () =>
      finish({
        error: new SherpaError('LOGIN_TIMEOUT', 'Timed out waiting for the browser sign-in', {
          hint: 'Open the sign-in URL, finish signing in, and make sure nothing blocks http://127.0.0.1.',
        }),
      }),
    options.timeoutMs ?? 5 * 60_000,
  );
  timer.unref();
  const onAbort = () =>
    finish({
      error: new SherpaError('LOGIN_ABORTED', 'Sign-in was cancelled', { cause: options.signal?.reason }),
    });
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    redirectUri,
    callback,
    close: async () => {
      if (!done) finish({ error: new SherpaError('LOGIN_ABORTED', 'Sign-in receiver closed') });
      server.closeAllConnections();
      await close();
    },
  };
}

/**
 * What one callback to the redirect URI means: the page the browser gets and the sign-in's outcome. A
 * state other than the one sent is refused (CSRF, RFC 6749 §10.12) before anything else is read; an
 * `error` is the authorization server's refusal (RFC 6749 §4.1.2.1); otherwise the URL carries the code.
 */
function judgeCallback(
  url: URL,
  expectedState: string,
): { page: { status: number; title: string; body: string }; outcome: { url?: URL; error?: SherpaError } } {
  const q = url.searchParams;
  if (q.get('state') !== expectedState) {
    return {
      page: {
        status: 400,
        title: 'Sign-in rejected',
        body: 'The response did not carry the state this app sent, so it was ignored.',
      },
      outcome: {
        error: new SherpaError('STATE_MISMATCH', 'Authorization response state does not match the request', {
          hint: "Someone else's sign-in response reached this app (CSRF, RFC 6749 §10.12). Start the sign-in again.",
        }),
      },
    };
  }
  if (q.has('error')) {
    const error = q.get('error') ?? 'error';
    const description = q.get('error_description') ?? '';
    return {
      page: {
        status: 400,
        title: 'Sign-in failed',
        body: `The authorization server said: ${escapeHtml(error)} ${escapeHtml(description)}`,
      },
      outcome: {
        error: new SherpaError(
          'AUTHORIZATION_DENIED',
          describeAuthorizationRefusal('sign-in', `${error}${description ? `: ${description}` : ''}`),
          {
            hint: 'Check the client id, scopes and resource you asked for (e.g. AADSTS9010010 means the resource does not match the scope).',
            details: { error, description },
          },
        ),
      },
    };
  }
  return {
    page: { status: 200, title: 'Signed in', body: 'You can close this tab and return to Sherpa.' },
    outcome: { url: new URL(url.href) },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
