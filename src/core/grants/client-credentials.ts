/**
 * Client credentials grant (RFC 6749 §4.4, OAuth 2.1 §4.2) for machine-to-machine MCP clients, as the
 * MCP ext-auth "OAuth Client Credentials" extension (SEP-1046) describes: the client authenticates
 * with client_secret_basic or private_key_jwt (RFC 7523 §2.2) and asks for a token for the MCP
 * resource (RFC 8707). The request and the client assertion are openid-client's.
 */
import * as client from 'openid-client';
import { toTokenRequestError } from './authorization-code';
import { toTokenSet, type TokenSet } from '../token/token-set';

export interface ClientCredentialsOptions {
  /** Scopes to request; empty = omit `scope`. */
  scopes?: string[];
  /** RFC 8707 resource indicator (the PRM `resource`). */
  resource?: string;
}

/** Requests a token with the client's own identity. `config` carries the client authentication. */
export async function requestClientCredentialsToken(
  config: client.Configuration,
  options: ClientCredentialsOptions = {},
): Promise<TokenSet> {
  const scope = (options.scopes ?? []).join(' ');
  try {
    const response = await client.clientCredentialsGrant(config, {
      ...(scope ? { scope } : {}),
      ...(options.resource ? { resource: options.resource } : {}),
    });
    return toTokenSet(response, scope ? { requestedScope: scope } : {});
  } catch (err) {
    throw toTokenRequestError(err);
  }
}
