import { refuseResourceScopeMismatch } from './entra-prelogin';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import Provider from 'oidc-provider';
import { LAB_HOST, LAB_TENANT_ID, labIssuer } from '../shared/lab-defaults';
import { ENTRA_AUTHORITY_HOST } from '../../core/entra';
import { defaultAllowedHosts, hostCheck } from '../shared/host-check';
import { listenHttp, type ServerLimits, type TlsIdentity } from '../shared/listen';
import { createLogger } from '../shared/log';
import { createLabApiApps, type ApiApp } from './api-resources';
import { ForwardedAddresses, rewriteRequestUrl, type ForwardedAddress } from './forwarded-addresses';
import { createInteractionRouter } from './interactions';
import { createProviderConfig } from './provider-config';
import {
  acceptShortDeviceCodeGrant,
  ENTRA_ROUTES,
  rewriteEntraPaths,
  shapeEntraResponses,
} from './entra-responses';
import { watchSigningKeys } from './key-rollover';
import { createLabStore } from './lab-store';
import { logClientRequests } from './request-log';
import { announceRegistrationExpiry, DEFAULT_REGISTRATION_TTL_SECONDS } from './lab-clients';
import { loadOrCreateCookieKeys, loadOrCreateSigningKeys, type PrivateJwks } from './signing-keys';

export { rotateSigningKeys } from './signing-keys';

export interface AuthorizationServerOptions {
  host: string;
  port: number;
  dataDir: string;
  tenantId?: string;
  /** Extra identifier URIs of the API app besides api://{LAB_API_CLIENT_ID}: the secure server's MCP URL. */
  apiIdentifierUris?: string[];
  strict?: boolean;
  accessTokenTtlSeconds?: number;
  /**
   * Entra mode: answer as `https://login.microsoftonline.com/{tenant}/v2.0` — that issuer, Entra's
   * endpoint paths (entra-responses.ts), AADSTS errors, no DCR — over HTTPS with this certificate (one
   * for login.microsoftonline.com from the lab CA, lab-ca.ts). Clients reach it through the lab proxy.
   */
  entra?: { tls: TlsIdentity };
  /** Timeouts and connection cap; defaults in shared/listen.ts. */
  limits?: ServerLimits;
  /** Life of a dynamically registered client (RFC 7591), then it is gone. Default 24 h. */
  registrationTtlSeconds?: number;
}

export interface RunningAuthorizationServer {
  /** Where it listens: `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` in Entra mode. */
  origin: string;
  issuer: string;
  jwksUri: string;
  /**
   * Registers a forwarded address through which a remote browser reaches this server, or a loopback
   * redirect receiver (see forwarded-addresses.ts). Errors: BAD_ARGUMENT.
   */
  addForwardedAddress(address: unknown): ForwardedAddress;
  close(): Promise<void>;
}

/** Entra's public-cloud authority, which Entra mode answers as. */
const ENTRA_ORIGIN = `https://${ENTRA_AUTHORITY_HOST}`;

/**
 * RFC 8414 §3: for an issuer with a path, the metadata lives at
 * `/.well-known/oauth-authorization-server{path}` on the origin root. oidc-provider serves the OpenID
 * form under its mount (`{issuer}/.well-known/openid-configuration`); the RFC 8414 URL is rewritten to
 * it so both answer with the same document, produced by oidc-provider.
 */
function rewriteRfc8414Metadata(issuerPath: string) {
  const wellKnown = `/.well-known/oauth-authorization-server${issuerPath}`;
  return (req: IncomingMessage & { originalUrl?: string }, _res: ServerResponse, next: () => void): void => {
    const [path, query] = (req.url ?? '').split('?', 2);
    if ((req.method === 'GET' || req.method === 'HEAD') && path === wellKnown) {
      rewriteRequestUrl(req, `${issuerPath}/.well-known/openid-configuration${query ? `?${query}` : ''}`);
    }
    next();
  };
}

/**
 * The sign-in, consent, device-code and logout pages must not be framed by another page (clickjacking a
 * password or an approval): CSP `frame-ancestors 'none'` (CSP Level 3 §6.4.2) and, for browsers without
 * it, `X-Frame-Options: DENY` (RFC 7034). On every response: JSON endpoints lose nothing by it.
 */
function refuseFraming(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}

/**
 * Entra issues a refresh token for `offline_access` without `prompt=consent`; OIDC Core §11 (which
 * oidc-provider follows) drops `offline_access` unless consent is prompted. Since the lab consents
 * automatically, adding `consent` to such requests' `prompt` (kept alongside e.g. `login`, OIDC Core
 * §3.1.2.1 allows a list) reproduces Entra's behaviour without a screen.
 */
/**
 * Entra's `prompt=select_account` (the account picker, which MSAL and VS Code send) is not an OIDC Core
 * §3.1.2.1 value, and oidc-provider refuses unknown prompts. The lab's sign-in form is its account
 * picker, so Entra mode reads it as `login`.
 */
function acceptSelectAccountPrompt(authPath: string) {
  return (req: IncomingMessage & { originalUrl?: string }, _res: ServerResponse, next: () => void): void => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const prompts = (url.searchParams.get('prompt') ?? '').split(' ').filter(Boolean);
    if (req.method === 'GET' && url.pathname === authPath && prompts.includes('select_account')) {
      const mapped = [...new Set(prompts.map((p) => (p === 'select_account' ? 'login' : p)))];
      url.searchParams.set('prompt', mapped.join(' '));
      rewriteRequestUrl(req, `${url.pathname}${url.search}`);
    }
    next();
  };
}

function promptConsentForOfflineAccess(authPath: string) {
  return (req: IncomingMessage & { originalUrl?: string }, _res: ServerResponse, next: () => void): void => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const scopes = url.searchParams.get('scope')?.split(' ') ?? [];
    const prompts = (url.searchParams.get('prompt') ?? '').split(' ').filter(Boolean);
    if (
      req.method === 'GET' &&
      url.pathname === authPath &&
      scopes.includes('offline_access') &&
      !prompts.includes('consent') &&
      !prompts.includes('none')
    ) {
      url.searchParams.set('prompt', [...prompts, 'consent'].join(' '));
      rewriteRequestUrl(req, `${url.pathname}${url.search}`);
    }
    next();
  };
}

/**
 * RFC 6749 §3.3: a request without `scope` must get a pre-defined default or fail. In lenient mode the lab
 * treats "no scope, resource = one of our APIs" like Entra's `{App ID URI}/.default`: every delegated
 * scope of that API. (The MCP conformance suite's authorization-code-grant sends exactly such a request.)
 * Strict mode leaves the request alone, so it fails as Entra's does (Entra requires `scope`).
 */
function defaultScopeForApiResource(authPath: string, apiApps: ApiApp[]) {
  return (req: IncomingMessage & { originalUrl?: string }, _res: ServerResponse, next: () => void): void => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const resource = url.searchParams.get('resource');
    const api = resource ? apiApps.find((a) => a.identifierUris.includes(resource)) : undefined;
    if (
      req.method === 'GET' &&
      url.pathname === authPath &&
      !url.searchParams.get('scope') &&
      api &&
      resource
    ) {
      url.searchParams.set('scope', api.scopeNames.map((name) => `${resource}/${name}`).join(' '));
      rewriteRequestUrl(req, `${url.pathname}${url.search}`);
    }
    next();
  };
}

/**
 * RFC 8252 §7.3 for a remote browser: a native client that may use `http://127.0.0.1:{any port}/callback`
 * may also use the forwarded address registered for such a loopback receiver (the browser can reach that
 * one; the code still lands in the app's own receiver). `provider.Client` is this provider's own class,
 * so the wrap touches no other provider instance.
 */
function allowForwardedRedirectUris(provider: Provider, forwarded: ForwardedAddresses): void {
  const proto = provider.Client.prototype as { redirectUriAllowed(uri: string): boolean };
  const allowed = proto.redirectUriAllowed;
  proto.redirectUriAllowed = function (this: unknown, uri: string): boolean {
    if (allowed.call(this, uri)) return true;
    const loopback = typeof uri === 'string' ? forwarded.toLoopback(uri) : undefined;
    return loopback !== undefined && allowed.call(this, loopback);
  };
}

/** Rejected authorization and token requests are logged (info), server errors as errors; never a token. */
function logProviderEvents(provider: Provider, log: ReturnType<typeof createLogger>): void {
  provider.on('server_error', (_ctx: unknown, err: Error) =>
    log.error('server error', { message: err.message }),
  );
  provider.on('authorization.error', (_ctx: unknown, err: Error & { error?: string }) =>
    log.info('authorization request rejected', { error: err.error, message: err.message }),
  );
  provider.on('grant.error', (_ctx: unknown, err: Error & { error?: string; error_detail?: string }) =>
    log.info('token request rejected', {
      error: err.error,
      message: err.message,
      detail: err.error_detail,
    }),
  );
}

/** Watches jwks.json (`sherpa keys rotate`): each new key set is handed to `swap` and logged (kids only). */
function followSigningKeys(
  dataDir: string,
  signing: PrivateJwks,
  log: ReturnType<typeof createLogger>,
  swap: (keys: PrivateJwks) => void,
) {
  return watchSigningKeys(
    dataDir,
    signing,
    (keys) => {
      swap(keys);
      log.info('signing keys changed', {
        signingKid: keys.keys[0]?.kid,
        published: keys.keys.map((k) => k.kid),
        ...(keys.next
          ? { nextKid: keys.next.kid, activatesAt: new Date(keys.next.activatesAt).toISOString() }
          : {}),
      });
    },
    {
      onError: (err) =>
        log.warn('signing keys could not be re-read; keeping the current ones', { message: err.message }),
    },
  );
}

/**
 * The middleware in front of oidc-provider: Entra's paths, prompts and device-code shape (Entra mode) or
 * the RFC 8414 metadata path; consent for offline_access; the resource/scope rule (strict: refused,
 * AADSTS9010010; else the API's default scope); the lab's login and consent pages.
 */
function mountLabRoutes(
  app: express.Express,
  o: {
    tenantId: string;
    issuerPath: string;
    authPath: string;
    apiApps: ReturnType<typeof createLabApiApps>;
    entra: boolean;
    strict: boolean;
    log: ReturnType<typeof createLogger>;
    provider: () => Provider;
  },
): void {
  if (o.entra) {
    app.use(rewriteEntraPaths(o.tenantId));
    app.use(acceptShortDeviceCodeGrant(`${o.issuerPath}${ENTRA_ROUTES.token}`));
    app.use(acceptSelectAccountPrompt(o.authPath));
  } else app.use(rewriteRfc8414Metadata(o.issuerPath));
  app.use(promptConsentForOfflineAccess(o.authPath));
  if (!o.strict) app.use(defaultScopeForApiResource(o.authPath, o.apiApps));
  else app.use(refuseResourceScopeMismatch(o.authPath, o.apiApps, { entra: o.entra }));
  app.use(
    createInteractionRouter(o.provider, {
      issuerPath: o.issuerPath,
      log: o.log,
      ...(o.entra ? { entra: { apiApps: o.apiApps } } : {}),
    }),
  );
}

/**
 * Starts the lab's authorization server: oidc-provider, configured to look like an Entra ID v2 tenant,
 * mounted in express under the issuer path `/{tenant}/v2.0`. Binds 127.0.0.1 by default and rejects
 * Host headers other than its own names (DNS rebinding).
 */
export async function startAuthorizationServer(
  o: AuthorizationServerOptions,
): Promise<RunningAuthorizationServer> {
  const host = o.host || LAB_HOST;
  const tenantId = o.tenantId ?? LAB_TENANT_ID;
  const log = createLogger('authz');
  const [signing, cookieKeys] = await Promise.all([
    loadOrCreateSigningKeys(o.dataDir),
    loadOrCreateCookieKeys(o.dataDir),
  ]);

  // The issuer contains the port, so listen first (port 0 = ephemeral) and mount the provider after.
  const entra = o.entra !== undefined;
  const listening = await listenHttp(host, o.port, o.limits, o.entra?.tls);
  const { server, port, origin } = listening;
  const app = express();
  app.disable('x-powered-by');
  // Entra mode: requests arrive through the lab proxy's tunnel with Host: login.microsoftonline.com.
  const allowedHosts = [
    ...defaultAllowedHosts(host, port),
    ...(entra ? [ENTRA_AUTHORITY_HOST, `${ENTRA_AUTHORITY_HOST}:443`] : []),
  ];
  const forwarded = new ForwardedAddresses(port);
  app.use((req, res, next) => hostCheck([...allowedHosts, ...forwarded.hosts()])(req, res, next));
  app.use((req, res, next) => forwarded.middleware()(req, res, next));
  app.use(refuseFraming);
  server.on('request', app);

  const issuer = entra ? `${ENTRA_ORIGIN}/${tenantId}/v2.0` : labIssuer(origin, tenantId);
  // Entra's endpoints live beside the issuer path (`/{tenant}/oauth2/v2.0/…`), so mount at `/{tenant}`.
  const issuerPath = entra ? `/${tenantId}` : new URL(issuer).pathname;
  const authPath = `${issuerPath}${entra ? ENTRA_ROUTES.authorization : '/auth'}`;
  const apiApps = createLabApiApps({ apiIdentifierUris: o.apiIdentifierUris });
  const registrationTtl = o.registrationTtlSeconds ?? DEFAULT_REGISTRATION_TTL_SECONDS;
  const store = createLabStore({ clientTtlSeconds: registrationTtl });
  const buildProvider = (keys: PrivateJwks) => {
    const provider = new Provider(
      issuer,
      createProviderConfig({
        tenantId,
        issuerPath,
        apiApps,
        signingKeys: keys.keys,
        cookieKeys,
        strict: o.strict ?? false,
        accessTokenTtlSeconds: o.accessTokenTtlSeconds ?? 3600,
        store,
        entra,
      }),
    );
    if (entra) shapeEntraResponses(provider, { tenantId, authorityOrigin: ENTRA_ORIGIN });
    // Trust X-Forwarded-Host/-Proto: the forwarded-address middleware is the only one that sets them.
    provider.proxy = true;
    allowForwardedRedirectUris(provider, forwarded);
    announceRegistrationExpiry(provider, registrationTtl);
    logClientRequests(provider, log);
    logProviderEvents(provider, log);
    return { provider, callback: provider.callback() };
  };
  // A key rollover (`sherpa keys rotate`) swaps in a provider built with the new key set; grants, codes
  // and sessions live in `store`, shared by every provider of this server, so nobody is signed out, and
  // requests already in flight finish on the provider that started them.
  let current = buildProvider(signing);
  const rollover = followSigningKeys(o.dataDir, signing, log, (keys) => {
    current = buildProvider(keys);
  });

  mountLabRoutes(app, {
    tenantId,
    issuerPath,
    authPath,
    apiApps,
    entra,
    strict: o.strict ?? false,
    log,
    provider: () => current.provider,
  });
  app.use(issuerPath, (req: IncomingMessage, res: ServerResponse) => current.callback(req, res));

  log.info('listening', { issuer, origin, strict: o.strict ?? false, entra, keys: signing.keys.length });
  const jwksUri = entra ? `${ENTRA_ORIGIN}/${tenantId}${ENTRA_ROUTES.jwks}` : `${issuer}/jwks`;
  return {
    origin,
    issuer,
    jwksUri,
    addForwardedAddress: (address) => forwarded.add(address),
    close: async () => {
      rollover.close();
      await listening.close();
    },
  };
}
