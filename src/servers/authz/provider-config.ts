import { createLabStore } from './lab-store';
import { errors, type Adapter, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import {
  checkResourceMatchesScopes,
  findApiAppByIdentifier,
  formatScpClaim,
  listAllApiScopeStrings,
  listApiScopeStrings,
  resolveResourceFromScope,
  findUnknownIdentifierUri,
  OIDC_SCOPES,
  type ApiApp,
} from './api-resources';
import { createFindAccount, findLabUserByOid } from './lab-accounts';
import { forwardedBaseOf, pathPrefix } from './forwarded-addresses';
import { createLabClients, isLoopbackRedirectUri, labelSelfRegisteredName } from './lab-clients';
import { createEntraErrorRenderer, ENTRA_ROUTES } from './entra-responses';
import { describeEntraError } from './entra-errors';
import {
  renderDeviceCodeInputPage,
  renderDeviceConfirmPage,
  renderDeviceSuccessPage,
  renderErrorPage,
  renderLogoutPage,
  renderSignedOutPage,
} from './html-pages';

export interface ProviderConfigOptions {
  tenantId: string;
  /**
   * Where the provider is mounted and the interaction pages live: the issuer's path (`/{tenant}/v2.0`)
   * by default; `/{tenant}` in Entra mode, whose endpoints sit beside the issuer path (ENTRA_ROUTES).
   */
  issuerPath: string;
  apiApps: ApiApp[];
  signingKeys: JWK[];
  cookieKeys: string[];
  strict: boolean;
  accessTokenTtlSeconds: number;
  /** The grant/session store; pass the same one to every provider built for one server (key rollover). */
  store?: (modelName: string) => Adapter;
  /** Entra mode: Entra's routes and error pages, no DCR, VS Code's vscode.dev redirect (entra-responses.ts). */
  entra?: boolean;
}

/** Custom client metadata whose validator runs on every registration: the hook for the loopback rule. */
const DCR_POLICY_PROPERTY = 'sherpa_lab_policy';

/**
 * RFC 7591 §2 / §3.2.1: the lab registers only a client's http loopback redirect URIs (RFC 8252 §7.3) and
 * drops the rest (VS Code also asks for https://vscode.dev/redirect, which would send the code off this
 * machine); the registration response's `redirect_uris` shows what was kept. A request with no loopback
 * redirect URI at all is refused with `invalid_redirect_uri`. A missing or malformed `redirect_uris` is
 * left to oidc-provider's own validation.
 */
function keepLoopbackRedirectUris(metadata: { redirect_uris?: unknown }): void {
  const requested = metadata.redirect_uris;
  if (!Array.isArray(requested)) return;
  const kept = requested.filter((u) => isLoopbackRedirectUri(u));
  if (kept.length === 0) {
    throw new errors.InvalidRedirectUri(
      'redirect_uris must include an http loopback URI (127.0.0.1, localhost or [::1]) in the lab; ' +
        `got ${requested.map(String).join(', ') || 'none'}`,
    );
  }
  metadata.redirect_uris = kept;
}

/** Pulls a client's display name out of oidc-provider's context for the HTML pages. */
function describeClient(ctx: KoaContextWithOIDC): string {
  const client = ctx.oidc.client;
  return client?.clientName ?? client?.clientId ?? 'an application';
}

type Features = NonNullable<Configuration['features']>;

/** The lab's own pages for the RFC 8628 device grant (code entry, confirmation, done). */
const DEVICE_FLOW_PAGES: Features['deviceFlow'] = {
  enabled: true,
  userCodeInputSource: (ctx, form, _out, err) => {
    const error = err ? 'That code was not recognised or has expired. Try again.' : undefined;
    ctx.type = 'html';
    ctx.body = renderDeviceCodeInputPage(form, { error });
  },
  userCodeConfirmSource: (ctx, form, client, _deviceInfo, userCode) => {
    ctx.type = 'html';
    ctx.body = renderDeviceConfirmPage(form, {
      clientName: client.clientName ?? client.clientId,
      userCode,
    });
  },
  successSource: (ctx) => {
    ctx.type = 'html';
    ctx.body = renderDeviceSuccessPage(describeClient(ctx));
  },
};

/** Entra's sign-out (`/oauth2/v2.0/logout`, OIDC RP-Initiated Logout) with the lab's pages. */
const ENTRA_LOGOUT_PAGES: Features['rpInitiatedLogout'] = {
  enabled: true,
  logoutSource: (ctx, form) => {
    ctx.type = 'html';
    ctx.body = renderLogoutPage(form);
  },
  postLogoutSuccessSource: (ctx) => {
    ctx.type = 'html';
    ctx.body = renderSignedOutPage();
  },
};

/**
 * RFC 8707 resource indicators the Entra way: the API named by its scope when no `resource` is sent, an
 * unknown identifier URI refused as AADSTS500011, and a JWT access token whose `aud` is the API's client id.
 */
function resourceIndicatorsFor(o: ProviderConfigOptions): Features['resourceIndicators'] {
  const { apiApps, strict } = o;
  const entra = o.entra ?? false;
  return {
    enabled: true,
    // Entra-style requests name the API in the scope (`api://{id}/access_as_user`) and no `resource`.
    defaultResource: (ctx, _client, oneOf) => {
      if (oneOf) return oneOf.find((r) => findApiAppByIdentifier(apiApps, r)) ?? oneOf;
      const scope = ctx.oidc.params?.scope as string | undefined;
      // Entra: a scope naming an identifier URI no app has is AADSTS500011, not silently dropped —
      // naming it as the resource lets getResourceServerInfo refuse it.
      return (
        resolveResourceFromScope(apiApps, scope, { strict }) ??
        (entra ? findUnknownIdentifierUri(apiApps, scope) : undefined)
      );
    },
    // Like Entra, the code redeems for a token for the API it was issued for, even with `openid`.
    useGrantedResource: () => true,
    getResourceServerInfo: (ctx, resourceIndicator) => {
      const app = findApiAppByIdentifier(apiApps, resourceIndicator);
      if (!app) {
        throw new errors.InvalidTarget(
          describeEntraError(500011, { resource: resourceIndicator, tenant: o.tenantId }),
        );
      }
      const mismatch = checkResourceMatchesScopes(
        apiApps,
        resourceIndicator,
        ctx.oidc.params?.scope as string | undefined,
        { strict },
      );
      if (mismatch) throw new errors.InvalidTarget(mismatch);
      return {
        // Every spelling of the API's scopes, so the granted scope survives oidc-provider's filter.
        scope: listApiScopeStrings(app).join(' '),
        // v2 tokens: `aud` is the API app's client id, whichever identifier URI was requested.
        audience: app.clientId,
        accessTokenFormat: 'jwt',
        accessTokenTTL: o.accessTokenTtlSeconds,
        jwt: { sign: { alg: 'RS256' } },
      };
    },
  };
}

/** The claims an Entra v2 access token for one of the lab's APIs carries beyond RFC 9068's. */
function entraAccessTokenClaims(o: ProviderConfigOptions): Configuration['extraTokenClaims'] {
  return (_ctx, token) => {
    const server = token.resourceServer;
    const app = server ? findApiAppByIdentifier(o.apiApps, server.identifier()) : undefined;
    if (!app || token.kind !== 'AccessToken') return undefined;
    const user = findLabUserByOid(token.accountId);
    return {
      ver: '2.0',
      tid: o.tenantId,
      azp: token.clientId,
      azpacr: '0', // public client: no client authentication, as Entra reports it
      scp: formatScpClaim(token.scope),
      ...(user && {
        oid: user.oid,
        name: user.name,
        preferred_username: user.email,
        ...(app.carriesUserRoles && user.roles.length ? { roles: user.roles } : {}),
      }),
    };
  };
}

/**
 * Entra v2 shape: `nbf` = `iat`, `typ: JWT`, permissions only in `scp` (no RFC 9068 `scope`), the calling
 * client only in `azp` (no RFC 9068 `client_id`).
 */
const toEntraV2Shape: NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt'] = (
  _ctx,
  _token,
  jwt,
) => {
  const payload = jwt.payload as Record<string, unknown>;
  payload.nbf = payload.iat;
  delete payload.scope;
  delete payload.client_id;
  jwt.header = { ...jwt.header, typ: 'JWT' };
};

/** Lifetimes in seconds: access tokens as configured, the rest as Entra's defaults roughly are. */
function lifetimes(accessTokenTtlSeconds: number): Configuration['ttl'] {
  return {
    AccessToken: accessTokenTtlSeconds,
    AuthorizationCode: 60,
    DeviceCode: 600,
    IdToken: 3600,
    Interaction: 3600,
    Grant: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
    RefreshToken: 14 * 24 * 3600,
  };
}

/**
 * oidc-provider configuration for an Entra-ID-shaped tenant. oidc-provider implements the protocols
 * (OAuth 2.1 code + PKCE, RFC 8628 device grant, RFC 7591 registration, RFC 8707 resource indicators,
 * RFC 9068 JWT access tokens); this only decides the Entra-specific policy on top.
 *
 * Grants, codes, sessions and refresh tokens live in the lab's own in-memory store (lab-store.ts): a
 * restart signs everyone out, while tokens already issued stay verifiable via the persisted keys.
 */
export function createProviderConfig(o: ProviderConfigOptions): Configuration {
  const { apiApps, strict } = o;
  const entra = o.entra ?? false;
  const apiScopes = listAllApiScopeStrings(apiApps);
  const clients = createLabClients({ entra });

  return {
    adapter: o.store ?? createLabStore(),
    clients,
    ...(entra
      ? {
          routes: ENTRA_ROUTES,
          // Two of the fields Entra's OpenID metadata has beyond OIDC Discovery; clients read them.
          discovery: { cloud_instance_name: 'microsoftonline.com', tenant_region_scope: 'EU' },
        }
      : {}),
    jwks: { keys: o.signingKeys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: o.cookieKeys },
    findAccount: createFindAccount(o.tenantId, { entra }),
    // Entra puts `tid`/`oid` in ID tokens too; `preferred_username` is the UPN.
    claims: {
      openid: entra ? ['sub', 'tid', 'oid', 'ver'] : ['sub', 'tid', 'oid'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    // With registration on, oidc-provider validates a client's `scope` against this list, so the API
    // scopes must be here as well as in the resource servers' scope lists.
    scopes: [...OIDC_SCOPES, ...apiScopes],
    // OAuth 2.1 §4.1.1 / RFC 9700 §2.1.1: PKCE for every client. A client secret does not stop an
    // injected authorization code; oidc-provider's default exempts confidential clients.
    pkce: { required: () => true },
    interactions: {
      url: (ctx, interaction) => {
        const path = `${o.issuerPath}/interaction/${interaction.uid}`;
        // Through a forwarder (remote browser) an absolute URL under its base: a root-relative Location
        // would get code-server's /proxy/PORT prefix added a second time.
        const base = forwardedBaseOf(ctx.req);
        return base ? new URL(pathPrefix(base) + path, base).href : path;
      },
    },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: DEVICE_FLOW_PAGES,
      // RFC 7591 open registration, lab only: Entra has none, but MCP clients use it. Strict mode is
      // "behave like Entra", so it is off there.
      registration: { enabled: !strict && !entra },
      revocation: { enabled: true },
      // Entra publishes end_session_endpoint (`/oauth2/v2.0/logout`); the default lab does not.
      rpInitiatedLogout: entra ? ENTRA_LOGOUT_PAGES : { enabled: false },
      resourceIndicators: resourceIndicatorsFor(o),
    },
    // Every client in the lab tenant is treated as pre-authorised (see interactions.ts): dynamically
    // registered ones are not in Entra terms, but the lab auto-consents for them too.
    extraClientMetadata: {
      properties: [DCR_POLICY_PROPERTY],
      // oidc-provider runs this before its own metadata validation and lets it edit `metadata`: the
      // hook for RFC 7591 §2 ("the server MAY ... replace any of the client's requested metadata").
      validator: (ctx, key, _value, metadata) => {
        // `ctx` is only set for registration/update requests; static clients are trusted.
        if (!ctx || key !== DCR_POLICY_PROPERTY) return;
        keepLoopbackRedirectUris(metadata);
        // A self-registered client does not get to show a first-party name on the sign-in pages.
        if (typeof metadata.client_name === 'string') {
          metadata.client_name = labelSelfRegisteredName(metadata.client_name);
        }
        // The device grant (RFC 8628) stays allowed for registered public clients: it has no redirect
        // URI to abuse, the user approves the code on the lab's own page (which names the client), and
        // VS Code falls back to it when its browser route is refused (in a remote extension host it
        // only offers the https://vscode.dev redirect). Entra has no DCR at all; this is lab convenience
        // on 127.0.0.1, where only local processes can register.
      },
    },
    extraTokenClaims: entraAccessTokenClaims(o),
    formats: { customizers: { jwt: toEntraV2Shape } },
    rotateRefreshToken: true,
    // A client may only ask for refresh tokens it is allowed to use; device clients get them too.
    issueRefreshToken: (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: lifetimes(o.accessTokenTtlSeconds),
    renderError: entra
      ? createEntraErrorRenderer({
          tenantId: o.tenantId,
          knownClient: async (id) => clients.some((c) => c.client_id === id),
        })
      : (ctx, out) => {
          ctx.type = 'html';
          ctx.body = renderErrorPage(String(out.error), out.error_description as string | undefined);
        },
    clientDefaults: { id_token_signed_response_alg: 'RS256' },
    // OAuth 2.1 drops the implicit and hybrid flows: the code flow is the only one.
    responseTypes: ['code'],
    // Entra puts profile claims in the ID token even when an access token is issued too.
    conformIdTokenClaims: false,
  };
}
