/**
 * The grant strategies core provides for the MCP authorization engine (core/client/grant-strategy.ts):
 * each turns an engine TokenRequest into one of the grants of this folder. A new grant goes here: a
 * module with the protocol exchange (openid-client does the OAuth parts) and a factory below.
 */
import { discoverAuthorizationServer } from '../discovery/as-metadata';
import type { GrantStrategy, TokenRequest } from '../client/grant-strategy';
import { loginWithAuthorizationCode, type AuthorizationCodeOptions } from './authorization-code';
import { requestClientCredentialsToken } from './client-credentials';
import { exchangeIdJag, JWT_BEARER_GRANT, requestIdJag } from './cross-app-access';
import { startDeviceCodeLogin, type DeviceCodeLogin } from './device-code';
import { registeredLoopbackPort } from './loopback-redirect';

/**
 * Leave out the RFC 8707 resource: always, or for the requests a predicate picks (Entra rejects a
 * resource that differs from the scope's App ID URI, AADSTS9010010 — `(r) => isEntraIssuer(r.issuer)`).
 */
export type OmitResource = boolean | ((request: TokenRequest) => boolean);

function omits(o: OmitResource | undefined, r: TokenRequest): boolean {
  return typeof o === 'function' ? o(r) : o === true;
}

/** Authorization code + PKCE (RFC 6749 §4.1, RFC 7636) with a loopback redirect (RFC 8252 §7.3). */
export function authorizationCodeGrant(
  o: Pick<AuthorizationCodeOptions, 'openBrowser' | 'timeoutMs' | 'forwardRedirectUri' | 'preflight'> & {
    omitResource?: OmitResource;
  },
): GrantStrategy {
  return {
    name: 'authorization code + PKCE',
    grantTypes: ['authorization_code'],
    getToken: (r) =>
      loginWithAuthorizationCode({
        config: r.config,
        scopes: r.scopes,
        ...(omits(o.omitResource, r) ? {} : { resource: r.resource }),
        openBrowser: o.openBrowser,
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.forwardRedirectUri ? { forwardRedirectUri: o.forwardRedirectUri } : {}),
        ...(o.preflight === false ? { preflight: false } : {}),
        ...redirectPortOf(r),
        ...(r.signal ? { signal: r.signal } : {}),
      }),
  };
}

/** The loopback port the client's registration names, if any (DCR for exact-match servers). */
export function redirectPortOf(r: TokenRequest): { redirectPort?: number } {
  const port = registeredLoopbackPort(r.client.redirectUris);
  return port === undefined ? {} : { redirectPort: port };
}

/** Device authorization grant (RFC 8628): `show` tells the person where to go and what to type. */
export function deviceCodeGrant(o: {
  show: (login: DeviceCodeLogin) => void;
  omitResource?: OmitResource;
}): GrantStrategy {
  return {
    name: 'device code (RFC 8628)',
    grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'],
    getToken: async (r) => {
      const login = await startDeviceCodeLogin({
        config: r.config,
        scopes: r.scopes,
        ...(omits(o.omitResource, r) ? {} : { resource: r.resource }),
        ...(r.addressPolicy ? { addressPolicy: r.addressPolicy } : {}),
        ...(r.signal ? { signal: r.signal } : {}),
      });
      o.show(login);
      return login.tokens;
    },
  };
}

/** Client credentials (RFC 6749 §4.4, SEP-1046): a machine client with a secret or a key. */
export function clientCredentialsGrant(): GrantStrategy {
  return {
    name: 'client credentials',
    grantTypes: ['client_credentials'],
    getToken: (r) => requestClientCredentialsToken(r.config, { scopes: r.scopes, resource: r.resource }),
  };
}

/**
 * Cross-app access (SEP-990): the enterprise IdP exchanges the user's ID token for an ID-JAG (RFC 8693),
 * which the MCP authorization server takes as a JWT bearer grant (RFC 7523 §2.1).
 */
export function crossAppAccessGrant(o: {
  idToken: string;
  idpIssuer: string;
  idpClientId: string;
  onIdJag?: () => void;
}): GrantStrategy {
  return {
    name: 'cross-app access (ID-JAG)',
    grantTypes: [JWT_BEARER_GRANT],
    getToken: async (r) => {
      const idp = await discoverAuthorizationServer(o.idpIssuer, { clientId: o.idpClientId });
      const idJag = await requestIdJag(idp.config, {
        idToken: o.idToken,
        audience: r.metadata.issuer,
        resource: r.resource,
        scopes: r.scopes,
      });
      o.onIdJag?.();
      return exchangeIdJag(r.config, idJag, { scopes: r.scopes, resource: r.resource });
    },
  };
}
