/**
 * Authorization code grant with PKCE S256 (RFC 6749 §4.1, RFC 7636, OAuth 2.1 §4.1) for a public native
 * client, with a loopback redirect (RFC 8252 §7.3). Every protocol step is done by openid-client:
 * PKCE values, state, the authorization URL, the code exchange (which checks `state` and, when the server
 * advertises it, the RFC 9207 `iss` response parameter) and refresh.
 */
import * as client from 'openid-client';
import { discoverAuthorizationServer } from '../discovery/as-metadata';
import { SherpaError } from '../errors';
import { guardRefusalOf } from '../net/guarded-fetch';
import { assertOpenableUrl } from '../url';
import { preflightAuthorizationRequest } from './authorization-preflight';
import { startLoopbackRedirectOn } from './loopback-redirect';
import { toTokenSet, type TokenSet } from '../token/token-set';
import { VSCODE_CLIENT_ID } from '../well-known-ids';
import { describeAuthorizationRefusal } from '../net/network-failure';

export interface AuthorizationCodeOptions {
  /** Configuration from {@link discoverAuthorizationServer}; or give `issuer` (+ `clientId`) to discover. */
  config?: client.Configuration;
  issuer?: string;
  /** Default: VS Code's first-party client id, which Entra (and the lab) pre-authorise. */
  clientId?: string;
  /**
   * The fetch discovery (and then every token request) uses when `config` is not given. Default: a
   * guarded fetch with the issuer's own network policy; a caller that knows which server the person
   * chose passes the one made from that server's URL instead.
   */
  fetch?: client.CustomFetch;
  scopes: string[];
  /**
   * RFC 8707 resource indicator. Optional on purpose: Entra rejects a `resource` that does not match the
   * scope's App ID URI (AADSTS9010010), so for Entra the caller omits it and lets the scope pick the API.
   */
  resource?: string;
  /** Shows the authorization URL to the person: open a browser, print it, or drive a lab login form. */
  openBrowser: (url: URL) => void | Promise<void>;
  /**
   * Where the browser reaches the loopback receiver, when it is not on this machine (a remote VS Code:
   * the forwarded address of `http://127.0.0.1:PORT/callback`). Given the receiver's loopback redirect
   * URI, returns the one to send as `redirect_uri` (RFC 6749 §3.1.2); default: the loopback one.
   */
  forwardRedirectUri?: (loopbackRedirectUri: string) => string | Promise<string>;
  /** Extra authorization request parameters (e.g. `prompt`, `login_hint`). */
  extraParameters?: Record<string, string>;
  /** How long to wait for the redirect (default 5 min). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The loopback port the client's registered redirect URI names (DCR with a port, for servers that
   * compare redirect URIs exactly); default, or when it is taken: an ephemeral port.
   */
  redirectPort?: number;
  /**
   * Probe the authorization request before the browser (authorization-preflight.ts); default true. Off
   * only where the authorization server counts the authorization requests it gets (the conformance
   * suite's), since the probe is one of its own.
   */
  preflight?: boolean;
}

/**
 * Runs the whole browser sign-in and returns the tokens. Errors: STATE_MISMATCH, AUTHORIZATION_DENIED,
 * LOGIN_TIMEOUT, LOGIN_ABORTED (from the loopback receiver), TOKEN_REQUEST_FAILED (token endpoint).
 */
export async function loginWithAuthorizationCode(options: AuthorizationCodeOptions): Promise<TokenSet> {
  const config = await resolveConfiguration(options);
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const scope = options.scopes.join(' ');

  const receiver = await startLoopbackRedirectOn(options.redirectPort, {
    expectedState: state,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const redirectUri = options.forwardRedirectUri
      ? await options.forwardRedirectUri(receiver.redirectUri)
      : receiver.redirectUri;
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      // No scope known (no WWW-Authenticate scope, no scopes_supported): omit the parameter rather than
      // send an empty one (MCP spec 2025-11-25, scope selection strategy).
      ...(scope ? { scope } : {}),
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state,
      ...(options.resource ? { resource: options.resource } : {}),
      ...options.extraParameters,
    });
    // The authorization endpoint came from the server's metadata: nothing but https (or the lab's
    // loopback http) reaches a browser or an opener.
    assertOpenableUrl(authorizationUrl);
    // A request the server refuses outright (4xx: unknown client, unregistered redirect URI) would show
    // the person an error page that never comes back: say so now instead.
    if (options.preflight !== false) {
      await preflightAuthorizationRequest(authorizationUrl, {
        ...(config[client.customFetch] ? { fetch: config[client.customFetch] } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    // The callback may arrive while openBrowser is still running (a form driver follows the redirect).
    await Promise.race([options.openBrowser(authorizationUrl), receiver.callback.then(() => undefined)]);
    // The token request repeats redirect_uri (RFC 6749 §4.1.3), which openid-client takes from the
    // callback URL: rebuild it on the address the browser used, not the receiver's own.
    const received = await receiver.callback;
    const callbackUrl = new URL(redirectUri);
    callbackUrl.search = received.search;
    try {
      const response = await client.authorizationCodeGrant(
        config,
        callbackUrl,
        {
          pkceCodeVerifier: codeVerifier,
          expectedState: state,
          idTokenExpected: options.scopes.includes('openid'),
        },
        options.resource ? { resource: options.resource } : undefined,
      );
      return toTokenSet(response, { requestedScope: scope });
    } catch (err) {
      throw toTokenRequestError(err);
    }
  } finally {
    await receiver.close();
  }
}

/** Refresh token grant (RFC 6749 §6) with openid-client; keeps the old refresh token if none is returned. */
export async function refreshTokens(
  refreshToken: string,
  options: {
    config?: client.Configuration;
    issuer?: string;
    clientId?: string;
    /** As {@link AuthorizationCodeOptions.fetch}. */
    fetch?: client.CustomFetch;
    scopes?: string[];
    resource?: string;
  },
): Promise<TokenSet> {
  const config = await resolveConfiguration(options);
  try {
    const response = await client.refreshTokenGrant(config, refreshToken, {
      ...(options.scopes ? { scope: options.scopes.join(' ') } : {}),
      ...(options.resource ? { resource: options.resource } : {}),
    });
    const tokens = toTokenSet(response);
    return tokens.refreshToken ? tokens : { ...tokens, refreshToken };
  } catch (err) {
    throw toTokenRequestError(err);
  }
}

async function resolveConfiguration(options: {
  config?: client.Configuration;
  issuer?: string;
  clientId?: string;
  fetch?: client.CustomFetch;
}) {
  if (options.config) return options.config;
  if (!options.issuer) throw new SherpaError('BAD_ARGUMENT', 'Either config or issuer is required');
  return (
    await discoverAuthorizationServer(options.issuer, {
      clientId: options.clientId ?? VSCODE_CLIENT_ID,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
  ).config;
}

/** Maps openid-client errors to SherpaErrors that say what to do. */
export function toTokenRequestError(err: unknown): SherpaError {
  if (err instanceof SherpaError) return err;
  const refusal = guardRefusalOf(err);
  if (refusal) return refusal;
  if (err instanceof client.ResponseBodyError) {
    return new SherpaError(
      'TOKEN_REQUEST_FAILED',
      describeAuthorizationRefusal(
        'token',
        `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`,
      ),
      {
        cause: err,
        hint: 'invalid_grant usually means the code expired or the PKCE verifier did not match; sign in again.',
        details: { error: err.error, status: err.status },
      },
    );
  }
  if (err instanceof client.AuthorizationResponseError) {
    return new SherpaError(
      'AUTHORIZATION_DENIED',
      describeAuthorizationRefusal(
        'sign-in',
        `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`,
      ),
      {
        cause: err,
        details: { error: err.error },
      },
    );
  }
  const e = err as { code?: string; message?: string; cause?: { message?: string } };
  // RFC 9207 §2.4: a missing or different `iss` in the authorization response means the response may
  // come from another authorization server (mix-up attack); openid-client reports it in the cause.
  if (/"iss"/.test(e?.cause?.message ?? '')) {
    return new SherpaError('AS_ISSUER_MISMATCH', `Authorization response rejected: ${e.cause!.message}`, {
      cause: err,
      hint: 'RFC 9207: the authorization response must carry the issuer you started with; it did not, so the code was not redeemed.',
    });
  }
  if (e?.code === 'OAUTH_INVALID_RESPONSE' && /state/i.test(e.message ?? '')) {
    return new SherpaError('STATE_MISMATCH', e.message ?? 'state mismatch', { cause: err });
  }
  return new SherpaError('TOKEN_REQUEST_FAILED', `Token request failed: ${e?.message ?? String(err)}`, {
    cause: err,
    hint: 'Check that the authorization server is reachable and the client id is registered.',
  });
}
