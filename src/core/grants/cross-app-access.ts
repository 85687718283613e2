/**
 * Cross-app access / Enterprise-Managed Authorization (MCP ext-auth SEP-990, draft-ietf-oauth-identity-
 * assertion-authz-grant): the enterprise identity provider, not the person, authorises the MCP client.
 *   1. RFC 8693 token exchange at the IdP: the user's ID token → an Identity Assertion JWT
 *      Authorization Grant (ID-JAG) for the MCP authorization server (`audience`) and MCP server
 *      (`resource`);
 *   2. RFC 7523 §2.1 JWT bearer grant at the MCP authorization server: ID-JAG → access token.
 * Both requests are openid-client's `genericGrantRequest`; nothing here parses the JWTs.
 */
import * as client from 'openid-client';
import { toTokenRequestError } from './authorization-code';
import { toTokenSet, type TokenSet } from '../token/token-set';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';

export interface RequestIdJagOptions {
  /** The user's ID token from the enterprise IdP (the RFC 8693 subject token). */
  idToken: string;
  /** Issuer of the MCP authorization server that will accept the grant. */
  audience: string;
  /** The MCP server (PRM `resource`). */
  resource: string;
  scopes?: string[];
}

/** Step 1: RFC 8693 §2.1 token exchange at the IdP; returns the ID-JAG (RFC 8693 §2.2.1 access_token). */
export async function requestIdJag(
  idpConfig: client.Configuration,
  options: RequestIdJagOptions,
): Promise<string> {
  try {
    const response = await client.genericGrantRequest(idpConfig, TOKEN_EXCHANGE_GRANT, {
      requested_token_type: ID_JAG_TOKEN_TYPE,
      subject_token: options.idToken,
      subject_token_type: ID_TOKEN_TYPE,
      audience: options.audience,
      resource: options.resource,
      ...(options.scopes?.length ? { scope: options.scopes.join(' ') } : {}),
    });
    return response.access_token;
  } catch (err) {
    throw toTokenRequestError(err);
  }
}

/** Step 2: RFC 7523 §2.1 JWT bearer grant with the ID-JAG at the MCP authorization server. */
export async function exchangeIdJag(
  asConfig: client.Configuration,
  idJag: string,
  options: { resource?: string; scopes?: string[] } = {},
): Promise<TokenSet> {
  const scope = (options.scopes ?? []).join(' ');
  try {
    const response = await client.genericGrantRequest(asConfig, JWT_BEARER_GRANT, {
      assertion: idJag,
      ...(scope ? { scope } : {}),
      ...(options.resource ? { resource: options.resource } : {}),
    });
    return toTokenSet(response, scope ? { requestedScope: scope } : {});
  } catch (err) {
    throw toTokenRequestError(err);
  }
}
