/**
 * The lab's sign-in and consent interactions (oidc-provider's "interactions", OIDC Core §3.1.2.3).
 *
 * Contract for programs that sign in without a browser (the CLI's non-interactive login, the tests'
 * `test/support/drive-login.ts`):
 *   1. GET the authorization URL (`{issuer}/auth?...`) keeping cookies; it answers 303 with
 *      `Location: {issuerPath}/interaction/{uid}`.
 *   2. GET that page: an HTML form `<form method="post" action="{issuerPath}/interaction/{uid}/login">`.
 *   3. POST `application/x-www-form-urlencoded` to that action with the fields
 *        `username` = lab user name (alice | bob), `password` = the lab password (shown on the page).
 *      Wrong credentials: status 400, the form again with `<p class="error" data-code="invalid_credentials">`.
 *   4. Follow the 303 redirects with the same cookies: back to `{issuer}/auth/{uid}`, the consent step
 *      (`/interaction/{uid}` again, finished automatically, no page), and finally the client's
 *      `redirect_uri?code=…&state=…&iss=…`.
 * The device flow uses the same login page after `{issuer}/device` (fields `user_code` + hidden `xsrf`).
 *
 * CSRF: each interaction has an unguessable `uid` bound to a SameSite cookie set by oidc-provider, and
 * `interactionDetails` refuses a request that lacks it, so another site cannot post this form for a user.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import {
  findApiAppByIdentifier,
  OIDC_SCOPES,
  parseApiScope,
  resolveResourceFromScope,
  type ApiApp,
} from './api-resources';
import { describeEntraError, ENTRA_ERRORS } from './entra-errors';
import { forwardedBaseOf, pathPrefix } from './forwarded-addresses';
import { authenticateLabUser } from './lab-accounts';
import { renderErrorPage, renderLoginPage } from './html-pages';
import type { Logger } from '../shared/log';

/** Path of the login form's action for an interaction. */
export function loginActionPath(issuerPath: string, uid: string): string {
  return `${issuerPath}/interaction/${encodeURIComponent(uid)}/login`;
}

/** The action as the browser must post it: under a forwarder's path prefix when it came through one. */
function formAction(req: Request, issuerPath: string, uid: string): string {
  return pathPrefix(forwardedBaseOf(req)) + loginActionPath(issuerPath, uid);
}

/**
 * Grants what the client asked for. Every client of the lab tenant is treated as pre-authorised for the
 * lab's APIs (as Entra does for VS Code and Azure CLI on an API that lists them). Dynamically registered
 * clients would need consent in a real tenant; the lab auto-consents for them too, to keep MCP clients
 * that use RFC 7591 working without a consent screen.
 */
async function grantRequestedAccess(
  provider: Provider,
  req: Request,
  res: Response,
  entra?: EntraConsentPolicy,
): Promise<InteractionResults> {
  const { prompt, params, session, grantId } = await provider.interactionDetails(req, res);
  const details = prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session?.accountId, clientId: params.client_id as string });
  if (!grant) {
    throw Object.assign(new Error('The grant of this sign-in no longer exists; start again.'), {
      error: 'grant_not_found',
      status: 400,
    });
  }
  // For native clients oidc-provider asks for consent before it works out what is missing, so the
  // details may be empty: grant what the request asked for, plus anything the details name.
  const requested = String(params.scope ?? '')
    .split(' ')
    .filter(Boolean);
  const oidcScopes = requested.filter((s) => (OIDC_SCOPES as readonly string[]).includes(s));
  const apiScopes = requested.filter((s) => !(OIDC_SCOPES as readonly string[]).includes(s));
  grant.addOIDCScope([...oidcScopes, ...(details.missingOIDCScope ?? [])].join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  const resources = [params.resource ?? []].flat().filter((r): r is string => typeof r === 'string');
  if (entra) {
    const refused = checkEntraRequest(entra, params, [
      ...resources,
      ...Object.keys(details.missingResourceScopes ?? {}),
    ]);
    if (refused) return refused;
  }
  for (const resource of resources) {
    if (apiScopes.length) grant.addResourceScope(resource, apiScopes.join(' '));
  }
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const savedId = await grant.save();
  return { consent: grantId ? {} : { grantId: savedId } };
}

/** Entra mode: which API apps pre-authorize which clients (api-resources.ts), for AADSTS65001. */
export interface EntraConsentPolicy {
  apiApps: ApiApp[];
}

/**
 * Entra's checks of an authorization request that the lab makes at consent (Entra makes some of them
 * before sign-in; the result the client sees is the same error at its redirect URI, which is where
 * oidc-provider sends an error returned from an interaction):
 * - no `scope` at all → AADSTS900144 (Entra requires one; oidc-provider would answer access_denied);
 * - `{identifier URI}/{name}` where the API exposes no such scope → AADSTS70011 `invalid_scope`;
 * - a client the API app does not pre-authorize → AADSTS65001 `consent_required` (the lab shows no
 *   consent screen, so it answers as Entra does when consent cannot be given interactively).
 */
function checkEntraRequest(
  policy: EntraConsentPolicy,
  params: Record<string, unknown>,
  resources: string[],
): InteractionResults | undefined {
  const clientId = String(params.client_id ?? '');
  const scope = typeof params.scope === 'string' ? params.scope : '';
  const fail = (code: 900144 | 70011 | 65001, p: Parameters<typeof describeEntraError>[1]) => ({
    error: ENTRA_ERRORS[code].error,
    error_description: describeEntraError(code, p),
  });
  if (!scope.trim()) return fail(900144, { parameter: 'scope' });
  for (const s of scope.split(' ').filter(Boolean)) {
    const { identifierUri, name } = parseApiScope(s);
    const app = identifierUri ? findApiAppByIdentifier(policy.apiApps, identifierUri) : undefined;
    if (app && !app.scopeNames.includes(name)) return fail(70011, { scope: s });
  }
  const named = resolveResourceFromScope(policy.apiApps, scope, { strict: true });
  for (const resource of new Set([...resources, ...(named ? [named] : [])])) {
    const app = findApiAppByIdentifier(policy.apiApps, resource);
    if (app && !app.preAuthorizedClientIds.includes(clientId)) return fail(65001, { clientId });
  }
  return undefined;
}

/**
 * Express routes for `{issuerPath}/interaction/{uid}` (page) and `…/login` (form post). `getProvider`
 * returns the provider in service now: a signing-key rollover replaces it while the lab runs.
 */
export function createInteractionRouter(
  getProvider: () => Provider,
  o: { issuerPath: string; log: Logger; entra?: EntraConsentPolicy },
): express.Router {
  const router = express.Router();
  const base = `${o.issuerPath}/interaction/:uid`;

  router.get(base, async (req: Request, res: Response, next: NextFunction) => {
    const provider = getProvider();
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'consent') {
        const result = await grantRequestedAccess(provider, req, res, o.entra);
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
        return;
      }
      const client = await provider.Client.find(details.params.client_id as string);
      res.type('html').send(
        renderLoginPage({
          action: formAction(req, o.issuerPath, details.uid),
          clientName: client?.clientName ?? (details.params.client_id as string),
        }),
      );
    } catch (err) {
      next(err);
    }
  });

  router.post(
    `${base}/login`,
    express.urlencoded({ extended: false, limit: '8kb' }),
    async (req, res, next) => {
      const provider = getProvider();
      try {
        const details = await provider.interactionDetails(req, res);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const username = typeof body.username === 'string' ? body.username : '';
        const password = typeof body.password === 'string' ? body.password : '';
        const user = authenticateLabUser(username, password);
        if (!user) {
          o.log.info('sign-in rejected', { username: username.slice(0, 64) });
          const client = await provider.Client.find(details.params.client_id as string);
          res
            .status(400)
            .type('html')
            .send(
              renderLoginPage({
                action: formAction(req, o.issuerPath, details.uid),
                clientName: client?.clientName ?? (details.params.client_id as string),
                username,
                error: 'Your username or password is incorrect.',
              }),
            );
          return;
        }
        o.log.info('sign-in', { user: user.username, client: details.params.client_id });
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: user.oid, amr: ['pwd'] } },
          { mergeWithLastSubmission: false },
        );
      } catch (err) {
        next(err);
      }
    },
  );

  // Expired or unknown interactions (SessionNotFound, …): a page a person can read, never a 500.
  router.use(
    base,
    (err: Error & { status?: number; error?: string }, _req: Request, res: Response, _next: NextFunction) => {
      o.log.warn('interaction failed', { error: err.error ?? err.name, message: err.message });
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
      res
        .status(status)
        .type('html')
        .send(renderErrorPage(err.error ?? 'interaction_failed', err.message));
    },
  );

  return router;
}
