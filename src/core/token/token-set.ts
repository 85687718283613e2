/** The tokens a sign-in produced, in the shape the extension, CLI and tests share. */
import type * as client from 'openid-client';
import { SherpaError } from '../errors';

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  tokenType: string;
  /** Epoch seconds (from `expires_in`, RFC 6749 §5.1); undefined when the server did not say. */
  expiresAt?: number;
  /** Granted scope (RFC 6749 §5.1: may differ from the requested one). */
  scope?: string;
}

/** Converts an openid-client token endpoint response into a TokenSet. */
export function toTokenSet(
  response: client.TokenEndpointResponse,
  options: { now?: number; requestedScope?: string } = {},
): TokenSet {
  if (!response.access_token) {
    throw new SherpaError('TOKEN_REQUEST_FAILED', 'The token response has no access_token');
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return {
    accessToken: response.access_token,
    tokenType: response.token_type ?? 'bearer',
    ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}),
    ...(response.id_token ? { idToken: response.id_token } : {}),
    ...(typeof response.expires_in === 'number' ? { expiresAt: now + response.expires_in } : {}),
    // RFC 6749 §5.1: scope is omitted when identical to the requested one.
    ...((response.scope ?? options.requestedScope)
      ? { scope: response.scope ?? options.requestedScope }
      : {}),
  };
}
