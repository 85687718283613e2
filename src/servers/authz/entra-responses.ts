/**
 * Entra mode: oidc-provider keeps doing the OAuth work; this only reshapes what it answers so a client sees
 * what Entra ID would send — the token endpoint's JSON error body (`error_codes`, `trace_id`, …), AADSTS
 * codes and trace lines in every `error_description`, MSAL's `client_info`, and Entra's paths.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import {
  codeInDescription,
  describeEntraError,
  ENTRA_ERRORS,
  entraErrorDescription,
  entraTokenErrorBody,
  newErrorStamp,
  type EntraErrorCode,
  type EntraErrorParams,
} from './entra-errors';
import { toEntraDiscovery } from './entra-discovery';
import { rewriteRequestUrl } from './forwarded-addresses';
import { renderErrorPage } from './html-pages';

/** Entra's v2 endpoint paths under `/{tenant}` (oidc-provider `routes`, relative to its mount). */
export const ENTRA_ROUTES = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  device_authorization: '/oauth2/v2.0/devicecode',
  // Entra's is https://microsoft.com/devicelogin; the lab keeps the code page on its own host.
  code_verification: '/oauth2/deviceauth',
  end_session: '/oauth2/v2.0/logout',
  jwks: '/discovery/v2.0/keys',
  userinfo: '/oidc/userinfo',
  revocation: '/oauth2/v2.0/revoke',
} as const;

/** Tenant aliases MSAL and VS Code use in the path; the lab's one tenant answers for them. */
const TENANT_ALIASES = ['organizations', 'common'];

/**
 * Path rewrites in front of the provider: `/{alias}/…` → `/{tenant}/…`, and Entra's discovery URL
 * `/{tenant}/v2.0/.well-known/openid-configuration` (plus RFC 8414 §3's
 * `/.well-known/oauth-authorization-server/{tenant}/v2.0`) → where oidc-provider serves it under its mount.
 */
export function rewriteEntraPaths(tenantId: string) {
  const discovery = `/${tenantId}/.well-known/openid-configuration`;
  return (req: IncomingMessage, _res: ServerResponse, next: () => void): void => {
    const [rawPath = '', query] = (req.url ?? '').split('?', 2);
    let path = rawPath;
    for (const alias of TENANT_ALIASES) {
      if (path.toLowerCase().startsWith(`/${alias}/`)) path = `/${tenantId}${path.slice(alias.length + 1)}`;
    }
    if (
      path === `/${tenantId}/v2.0/.well-known/openid-configuration` ||
      path === `/.well-known/oauth-authorization-server/${tenantId}/v2.0`
    ) {
      path = discovery;
    }
    if (path !== rawPath) rewriteRequestUrl(req, `${path}${query !== undefined ? `?${query}` : ''}`);
    next();
  };
}

/** RFC 8628 §3.4's grant type; Entra also accepts (and MSAL sends) the short form `device_code`. */
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const MAX_TOKEN_REQUEST_BYTES = 64 * 1024;

/**
 * MSAL posts `grant_type=device_code`, which Entra accepts and oidc-provider does not know. For token
 * requests this reads the form body (bounded), puts the RFC 8628 name in its place and hands the parsed
 * body on as `req.body`, which oidc-provider reads when the stream was consumed upstream (it logs a
 * one-time notice about that). Everything else is left alone.
 */
export function acceptShortDeviceCodeGrant(tokenPath: string) {
  return (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: () => void): void => {
    const path = (req.url ?? '').split('?')[0];
    const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (req.method !== 'POST' || path !== tokenPath || !form) return next();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_TOKEN_REQUEST_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: 'invalid_request', error_description: 'request body too large' }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (params.get('grant_type') === 'device_code') params.set('grant_type', DEVICE_CODE_GRANT);
      req.body = params.toString();
      next();
    });
    req.on('error', () => res.destroy());
  };
}

/** What an oidc-provider error looks like to the classifier: its out body and the detail it logged. */
export interface ProviderErrorInfo {
  error: string;
  description?: string;
  /** oidc-provider's `error_detail` (not sent to clients), e.g. "PKCE verification failed". */
  detail?: string;
  /** Whether the request's client_id names a registered client. */
  clientKnown: boolean;
}

/**
 * Which AADSTS rule an oidc-provider error corresponds to, where the lab knows it. Descriptions the lab
 * wrote itself already start with `AADSTS…:` and keep their code. Undefined: answer as oidc-provider did.
 */
export function classifyProviderError(e: ProviderErrorInfo): EntraErrorCode | undefined {
  const own = codeInDescription(e.description);
  if (own) return own;
  const detail = `${e.detail ?? ''} ${e.description ?? ''}`.toLowerCase();
  switch (e.error) {
    case 'invalid_client':
      return e.clientKnown ? undefined : 700016;
    case 'invalid_redirect_uri':
      return 50011;
    case 'invalid_scope':
      return 70011;
    case 'authorization_pending':
      return 70016;
    case 'expired_token':
      return 70020;
    case 'consent_required':
      return 65001;
    case 'invalid_grant':
      if (detail.includes('pkce') || detail.includes('code_verifier')) return 501481;
      if (detail.includes('redirect_uri')) return 50011;
      return 70008;
    case 'invalid_request':
      return /missing required parameter/.test(detail) ? 900144 : undefined;
    default:
      return undefined;
  }
}

function paramsOf(ctx: KoaContextWithOIDC, tenantId: string): EntraErrorParams {
  const p = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
  const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    clientId: str(p.client_id) ?? str(body.client_id) ?? str(ctx.query.client_id),
    clientName: ctx.oidc?.client?.clientName,
    redirectUri: str(p.redirect_uri) ?? str(ctx.query.redirect_uri),
    resource: str(p.resource),
    scope: str(p.scope),
    tenant: tenantId,
  };
}

function missingParameter(description: string | undefined): string | undefined {
  return /missing required parameter '?([a-z_]+)'?/i.exec(description ?? '')?.[1];
}

/** The full Entra error_description for an oidc-provider error (code line + trace lines), if classified. */
function entraDescription(
  info: ProviderErrorInfo,
  params: EntraErrorParams,
  stamp = newErrorStamp(),
): { code: EntraErrorCode; description: string } | undefined {
  const code = classifyProviderError(info);
  if (!code) return undefined;
  const firstLine = codeInDescription(info.description)
    ? (info.description ?? '').split('\r\n')[0]!
    : describeEntraError(code, { ...params, parameter: missingParameter(info.description) });
  return { code, description: entraErrorDescription(code, params, stamp, firstLine) };
}

const lastErrors = new WeakMap<object, { error?: string; error_detail?: string; message?: string }>();

/**
 * Installs the Entra response shaping on a provider (koa middleware via `provider.use`, which wraps every
 * route, and the error events, which carry the `error_detail` oidc-provider does not send).
 */
export function shapeEntraResponses(
  provider: Provider,
  o: { tenantId: string; authorityOrigin: string },
): void {
  const remember = (ctx: KoaContextWithOIDC, err: Error & { error_detail?: string; error?: string }) =>
    lastErrors.set(ctx, {
      error: err.error ?? err.message,
      error_detail: err.error_detail,
      message: err.message,
    });
  provider.on('grant.error', remember);
  provider.on('authorization.error', remember);
  provider.on('device_authorization.error', remember);

  provider.use(async (ctx, next) => {
    await next();
    const oidcCtx = ctx as unknown as KoaContextWithOIDC;
    const route = oidcCtx.oidc?.route;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (route === 'discovery' && ctx.status === 200 && body) {
      toEntraDiscovery(body);
      return;
    }
    if (
      (route === 'token' || route === 'device_authorization') &&
      ctx.status >= 400 &&
      typeof body?.error === 'string'
    ) {
      const params = paramsOf(oidcCtx, o.tenantId);
      const info: ProviderErrorInfo = {
        error: body.error,
        description: typeof body.error_description === 'string' ? body.error_description : undefined,
        detail: lastErrors.get(ctx)?.error_detail,
        clientKnown: params.clientId ? Boolean(await provider.Client.find(params.clientId)) : false,
      };
      const code = classifyProviderError(info);
      if (!code) return;
      const stamp = newErrorStamp(new Date(), ctx.get('client-request-id') || undefined);
      const shaped = entraDescription(info, params, stamp)!;
      ctx.body = entraTokenErrorBody(code, params, stamp, {
        authorityOrigin: o.authorityOrigin,
        firstLine: shaped.description.split('\r\n')[0],
      });
      // Entra answers 400 for all of these, 401 only for a failed client authentication.
      ctx.status = code === 700016 ? 400 : ctx.status === 401 ? 401 : 400;
      return;
    }
    if (route === 'token' && ctx.status === 200 && typeof body?.access_token === 'string') {
      addClientInfo(oidcCtx.oidc?.body as Record<string, unknown> | undefined, body);
      // Entra always sends ext_expires_in (MSAL's "extended expiry" for outages); the lab has no outages.
      if (typeof body.expires_in === 'number' && body.ext_expires_in === undefined)
        body.ext_expires_in = body.expires_in;
      return;
    }
    if ((route === 'authorization' || route === 'resume') && ctx.status >= 300 && ctx.status < 400) {
      rewriteRedirectError(oidcCtx, paramsOf(oidcCtx, o.tenantId), lastErrors.get(ctx));
      return;
    }
    if (
      (route === 'authorization' || route === 'resume') &&
      typeof ctx.body === 'string' &&
      ctx.body.includes('name="error_description"')
    ) {
      rewriteFormPostError(oidcCtx, paramsOf(oidcCtx, o.tenantId), lastErrors.get(ctx));
    }
  });
}

/**
 * MSAL asks for `client_info=1` and builds its account ids from the answer: base64url JSON with the user's
 * object id (`uid`) and tenant (`utid`). The lab's tokens already carry both; no signature is involved.
 */
function addClientInfo(request: Record<string, unknown> | undefined, body: Record<string, unknown>): void {
  if (request?.client_info !== '1') return;
  try {
    const claims = decodeJwt(String(body.id_token ?? body.access_token));
    if (typeof claims.oid !== 'string' || typeof claims.tid !== 'string') return;
    body.client_info = Buffer.from(JSON.stringify({ uid: claims.oid, utid: claims.tid })).toString(
      'base64url',
    );
  } catch {
    // Not a JWT: nothing to add.
  }
}

function rewriteRedirectError(
  ctx: KoaContextWithOIDC,
  params: EntraErrorParams,
  last: { error_detail?: string } | undefined,
): void {
  const location = ctx.response.get('location');
  if (!location || !location.includes('error=')) return;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return;
  }
  // Errors come back in the query (response_mode=query) or, for fragment mode, after '#'.
  const inHash = !url.searchParams.has('error') && url.hash.includes('error=');
  const search = new URLSearchParams(inHash ? url.hash.slice(1) : url.search);
  const error = search.get('error');
  if (!error) return;
  const shaped = entraDescription(
    {
      error,
      description: search.get('error_description') ?? undefined,
      detail: last?.error_detail,
      clientKnown: true,
    },
    params,
  );
  if (!shaped) return;
  search.set('error', ENTRA_ERRORS[shaped.code].error);
  search.set('error_description', shaped.description);
  search.set('error_uri', `https://login.microsoftonline.com/error?code=${shaped.code}`);
  if (inHash) url.hash = search.toString();
  else url.search = search.toString();
  ctx.redirect(url.href);
}

function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function htmlUnescape(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The same for `response_mode=form_post`: oidc-provider's own fixed markup, one hidden input per field. */
function rewriteFormPostError(
  ctx: KoaContextWithOIDC,
  params: EntraErrorParams,
  last: { error_detail?: string } | undefined,
): void {
  const html = ctx.body as string;
  const field = (name: string) =>
    new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"/>`).exec(html)?.[1];
  const error = field('error');
  if (!error) return;
  const current = field('error_description');
  const shaped = entraDescription(
    {
      error: htmlUnescape(error),
      description: current !== undefined ? htmlUnescape(current) : undefined,
      detail: last?.error_detail,
      clientKnown: true,
    },
    params,
  );
  if (!shaped) return;
  ctx.body = html
    .replace(
      /<input type="hidden" name="error" value="[^"]*"\/>/,
      `<input type="hidden" name="error" value="${htmlEscape(ENTRA_ERRORS[shaped.code].error)}"/>`,
    )
    .replace(
      /<input type="hidden" name="error_description" value="[^"]*"\/>/,
      `<input type="hidden" name="error_description" value="${htmlEscape(shaped.description)}"/>`,
    );
}

/**
 * `renderError` for Entra mode: the page Entra shows when it cannot send the error back to the client
 * (unknown client, redirect URI mismatch), with the AADSTS line and the trace lines.
 */
export function createEntraErrorRenderer(o: {
  tenantId: string;
  knownClient: (id: string) => Promise<boolean>;
}) {
  return async (
    ctx: KoaContextWithOIDC,
    out: { error: string; error_description?: string },
  ): Promise<void> => {
    const params = paramsOf(ctx, o.tenantId);
    const error = String(out.error);
    const description = typeof out.error_description === 'string' ? out.error_description : undefined;
    const clientKnown = params.clientId ? await o.knownClient(params.clientId) : false;
    const shaped = entraDescription({ error, description, clientKnown }, params);
    ctx.type = 'html';
    ctx.body = renderErrorPage(
      shaped ? (shaped.description.split(':')[0] ?? error) : error,
      shaped?.description ?? description,
    );
  };
}
