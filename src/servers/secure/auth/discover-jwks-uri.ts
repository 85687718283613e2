import * as oidc from 'openid-client';
import { SherpaError } from '../../../core/errors';
import type { FetchLike } from './outbound-fetch';

/**
 * OpenID Connect Discovery 1.0 §4 via openid-client: the issuer's `jwks_uri`, the one place the secure
 * server learns where its issuer's keys are. openid-client checks that the document's `issuer` equals the
 * configured one (§4.3), so a proxy or DNS answering with another issuer's metadata is refused. Plain http
 * is allowed only for a loopback issuer (the default lab).
 */
export async function discoverJwksUri(
  issuer: string,
  clientId: string,
  o: { fetch?: FetchLike } = {},
): Promise<string> {
  const url = new URL(issuer);
  const isLoopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  const config = await oidc.discovery(url, clientId, undefined, undefined, {
    execute: url.protocol === 'http:' && isLoopback ? [oidc.allowInsecureRequests] : [],
    ...(o.fetch ? { [oidc.customFetch]: o.fetch as oidc.CustomFetch } : {}),
  });
  const jwksUri = config.serverMetadata().jwks_uri;
  if (!jwksUri)
    throw new SherpaError('ISSUER_METADATA_INVALID', `The issuer ${issuer} publishes no jwks_uri`, {
      hint: 'Check SHERPA_ISSUER (the exact `iss` of the tokens), or set SHERPA_JWKS_URI.',
    });
  return jwksUri;
}
