/**
 * Device authorization grant (RFC 8628) with openid-client: for places with no browser or no loopback
 * port (a container shell, a remote SSH session).
 */
import * as client from 'openid-client';
import { SherpaError } from '../errors';
import { toTokenRequestError } from './authorization-code';
import { toTokenSet, type TokenSet } from '../token/token-set';
import { assertOpenableUrl } from '../url';
import { assertUrlAllowed, type NetworkPolicy } from '../net/guarded-fetch';
import { verificationHostWarning } from './device-verification';

export interface DeviceCodeOptions {
  config: client.Configuration;
  scopes: string[];
  /** RFC 8707 resource; omit for Entra (see authorization-code.ts). */
  resource?: string;
  /**
   * The session's address policy (the guarded fetch's): the verification page must pass it too, so a
   * server cannot send the person to an internal or cloud-metadata address it could not fetch itself.
   */
  addressPolicy?: NetworkPolicy;
  signal?: AbortSignal;
}

export interface DeviceCodeLogin {
  /** What the person types at {@link verificationUri} (RFC 8628 §3.2). */
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Set when the verification page is not on the issuer's host (device-verification.ts): show it. */
  phishingWarning?: string;
  /** Seconds until the device code expires. */
  expiresIn: number;
  /** Resolves when the person has signed in; rejects with DEVICE_CODE_EXPIRED, AUTHORIZATION_DENIED, LOGIN_ABORTED. */
  tokens: Promise<TokenSet>;
}

/** Starts a device authorization (RFC 8628 §3.1) and begins polling (§3.4) in the background. */
export async function startDeviceCodeLogin(options: DeviceCodeOptions): Promise<DeviceCodeLogin> {
  if (!options.config.serverMetadata().device_authorization_endpoint) {
    throw new SherpaError(
      'AS_METADATA_INVALID',
      'This authorization server has no device_authorization_endpoint',
      {
        hint: 'Use the browser sign-in (authorization code + PKCE) instead.',
      },
    );
  }
  const scope = options.scopes.join(' ');
  let response: client.DeviceAuthorizationResponse;
  try {
    response = await client.initiateDeviceAuthorization(options.config, {
      scope,
      ...(options.resource ? { resource: options.resource } : {}),
    });
  } catch (err) {
    throw toTokenRequestError(err);
  }
  // RFC 8628 §5.4: the verification URI is shown and opened; a server could send any scheme there.
  assertOpenableUrl(response.verification_uri);
  if (response.verification_uri_complete) assertOpenableUrl(response.verification_uri_complete);
  if (options.addressPolicy) {
    await assertUrlAllowed(response.verification_uri, options.addressPolicy);
    if (response.verification_uri_complete)
      await assertUrlAllowed(response.verification_uri_complete, options.addressPolicy);
  }
  const phishingWarning = [response.verification_uri, response.verification_uri_complete]
    .map((u) => (u ? verificationHostWarning(options.config.serverMetadata().issuer, u) : undefined))
    .find(Boolean);
  const tokens = client
    .pollDeviceAuthorizationGrant(
      options.config,
      response,
      options.resource ? { resource: options.resource } : undefined,
      {
        ...(options.signal ? { signal: options.signal } : {}),
      },
    )
    .then(
      (r) => toTokenSet(r, { requestedScope: scope }),
      (err: unknown) => {
        if (options.signal?.aborted)
          throw new SherpaError('LOGIN_ABORTED', 'Device sign-in was cancelled', { cause: err });
        if (err instanceof client.ResponseBodyError && err.error === 'expired_token') {
          throw new SherpaError('DEVICE_CODE_EXPIRED', 'The device code expired before sign-in finished', {
            cause: err,
            hint: 'Start again and enter the code within the time shown.',
          });
        }
        if (err instanceof client.ResponseBodyError && err.error === 'access_denied') {
          throw new SherpaError('AUTHORIZATION_DENIED', 'The sign-in was declined', { cause: err });
        }
        throw toTokenRequestError(err);
      },
    );
  tokens.catch(() => undefined); // the caller may abandon the promise; avoid an unhandled rejection
  return {
    userCode: response.user_code,
    verificationUri: response.verification_uri,
    ...(response.verification_uri_complete
      ? { verificationUriComplete: response.verification_uri_complete }
      : {}),
    ...(phishingWarning ? { phishingWarning } : {}),
    expiresIn: response.expires_in,
    tokens,
  };
}
