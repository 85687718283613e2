import * as oidc from 'openid-client';
import { SherpaError } from '../../../core/errors';
import { isLoopbackHost } from '../../../core/net/loopback';
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
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(url, clientId, undefined, undefined, {
      execute: url.protocol === 'http:' && isLoopbackHost(url.hostname) ? [oidc.allowInsecureRequests] : [],
      ...(o.fetch ? { [oidc.customFetch]: o.fetch as oidc.CustomFetch } : {}),
    });
  } catch (err) {
    // "fetch failed" alone says nothing: name the issuer and the innermost cause (TLS trust, proxy, DNS).
    throw new SherpaError(
      'ISSUER_METADATA_INVALID',
      `Could not read the OpenID configuration of ${issuer}: ${innermostMessage(err)}`,
      {
        hint:
          'Check SHERPA_ISSUER; behind a proxy set HTTPS_PROXY (and NO_PROXY), and if the proxy or the issuer uses a ' +
          'private CA, NODE_EXTRA_CA_CERTS; or set SHERPA_JWKS_URI to skip discovery.',
        cause: err,
      },
    );
  }
  const jwksUri = config.serverMetadata().jwks_uri;
  if (!jwksUri)
    throw new SherpaError('ISSUER_METADATA_INVALID', `The issuer ${issuer} publishes no jwks_uri`, {
      hint: 'Check SHERPA_ISSUER (the exact `iss` of the tokens), or set SHERPA_JWKS_URI.',
    });
  return jwksUri;
}

function innermostMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  const seen: string[] = [];
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.message) seen.push(e.message);
    e = e.cause as typeof e;
  }
  return seen.length > 1 ? `${seen[0]} (${seen[seen.length - 1]})` : (seen[0] ?? String(err));
}
