/**
 * Authorization server metadata discovery (RFC 8414 §3 and OpenID Connect Discovery 1.0 §4), in the
 * order the MCP authorization spec (2025-11-25, "Authorization Server Metadata Discovery") lists for an
 * issuer with a path such as Entra's `https://login.microsoftonline.com/{tenant}/v2.0`:
 *   1. RFC 8414 path insertion   `/.well-known/oauth-authorization-server/{tenant}/v2.0`
 *   2. OIDC path insertion       `/.well-known/openid-configuration/{tenant}/v2.0`
 *   3. OIDC path appending       `/{tenant}/v2.0/.well-known/openid-configuration`
 * All fetching and issuer checking is done by openid-client's `discovery()`.
 */
import * as client from 'openid-client';
import { SherpaError, isSherpaError } from '../errors';
import { createGuardedFetch, guardRefusalOf, networkPolicyFor } from '../net/guarded-fetch';
import { toTerminalLine } from '../untrusted-text';
import { isLoopbackHost } from '../net/loopback';
import { isSecureOrLoopback } from '../url';

export type AsDiscoveryMethod = 'oauth2-insert' | 'oidc-insert' | 'oidc-append';

export interface DiscoverAuthorizationServerOptions {
  /** Client id the returned Configuration is for (e.g. VS Code's pre-authorised id). */
  clientId: string;
  /** Request timeout in seconds (openid-client default: 30). */
  timeoutSeconds?: number;
  /**
   * Every request of discovery and of the returned Configuration (token, device, refresh) goes through
   * this fetch. Default: a guarded fetch (net/guarded-fetch.ts) with the issuer's own policy; the connect
   * flow passes the one made for the MCP server the person chose.
   */
  fetch?: client.CustomFetch;
}

export interface DiscoveredAuthorizationServer {
  config: client.Configuration;
  metadata: Readonly<client.ServerMetadata>;
  method: AsDiscoveryMethod;
  /** Every method tried, with its error for the ones that failed. */
  attempts: { method: AsDiscoveryMethod; error?: string }[];
}

/**
 * Discovers the authorization server `issuer` and returns an openid-client Configuration for a public
 * client (`token_endpoint_auth_method: none`, PKCE). Plain http is allowed only for loopback issuers
 * (the local lab); anything else must be https (OAuth 2.1 §1.5) → INSECURE_TRANSPORT.
 */
export async function discoverAuthorizationServer(
  issuer: string | URL,
  options: DiscoverAuthorizationServerOptions,
): Promise<DiscoveredAuthorizationServer> {
  const issuerUrl = new URL(issuer);
  const loopback = isLoopbackHost(issuerUrl.hostname);
  if (issuerUrl.protocol !== 'https:' && !(issuerUrl.protocol === 'http:' && loopback)) {
    throw new SherpaError('INSECURE_TRANSPORT', `Authorization server ${issuerUrl.href} is not https`, {
      hint: 'Only loopback (127.0.0.1/localhost) issuers may use plain http; use the https issuer URL.',
    });
  }
  const guarded =
    options.fetch ?? (createGuardedFetch(await networkPolicyFor(issuerUrl)) as client.CustomFetch);
  const discoveryOptions = (algorithm?: 'oidc' | 'oauth2'): client.DiscoveryRequestOptions => ({
    ...(algorithm ? { algorithm } : {}),
    ...(loopback ? { execute: [client.allowInsecureRequests] } : {}),
    ...(options.timeoutSeconds !== undefined ? { timeout: options.timeoutSeconds } : {}),
    [client.customFetch]: guarded,
  });
  const clientMetadata: Partial<client.ClientMetadata> = { token_endpoint_auth_method: 'none' };

  const path = issuerUrl.pathname.replace(/\/$/, '');
  const attempts: DiscoveredAuthorizationServer['attempts'] = [];
  const methods: { method: AsDiscoveryMethod; run: () => Promise<client.Configuration> }[] = [
    {
      method: 'oauth2-insert',
      run: () =>
        client.discovery(
          issuerUrl,
          options.clientId,
          clientMetadata,
          client.None(),
          discoveryOptions('oauth2'),
        ),
    },
  ];
  if (path) {
    // openid-client fetches a .well-known URL as given but then skips the issuer check: do it here.
    methods.push({
      method: 'oidc-insert',
      run: async () => {
        const wellKnown = new URL(`/.well-known/openid-configuration${path}`, issuerUrl.origin);
        const config = await client.discovery(
          wellKnown,
          options.clientId,
          clientMetadata,
          client.None(),
          discoveryOptions(),
        );
        assertIssuer(config, issuerUrl);
        return config;
      },
    });
  }
  methods.push({
    method: 'oidc-append',
    run: () =>
      client.discovery(issuerUrl, options.clientId, clientMetadata, client.None(), discoveryOptions('oidc')),
  });

  let issuerMismatch: SherpaError | undefined;
  for (const { method, run } of methods) {
    try {
      const config = await run();
      config[client.customFetch] = guarded; // token, device and refresh requests too
      assertEndpoints(config.serverMetadata());
      attempts.push({ method });
      return { config, metadata: config.serverMetadata(), method, attempts };
    } catch (err) {
      const refusal = guardRefusalOf(err);
      if (refusal) throw refusal;
      if (isSherpaError(err, 'UNSAFE_URL')) throw err;
      const sherpa = toIssuerMismatch(err, issuerUrl);
      if (sherpa) issuerMismatch ??= sherpa;
      attempts.push({ method, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (issuerMismatch) throw issuerMismatch;
  throw new SherpaError(
    'AS_METADATA_INVALID',
    `Could not discover authorization server metadata for ${issuerUrl.href}`,
    {
      hint: 'Check that the PRM authorization_servers entry is the issuer URL and that the server is running.',
      details: { attempts },
    },
  );
}

/** Metadata members that are URLs Sherpa will call or open (RFC 8414 §2, RFC 8628 §4, RFC 7591 §3). */
const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'device_authorization_endpoint',
  'registration_endpoint',
  'jwks_uri',
  'revocation_endpoint',
  'introspection_endpoint',
  'userinfo_endpoint',
  'pushed_authorization_request_endpoint',
] as const;

/**
 * RFC 8414 §2 requires https endpoint URLs; the metadata is the server's word, so a `javascript:`,
 * `file:`, custom-scheme or credential-carrying value is refused here, by name, before anything uses it.
 * (Which addresses they may reach is the guarded fetch's rule, at the moment of the request.)
 */
export function assertEndpoints(metadata: Readonly<client.ServerMetadata>): void {
  for (const field of ENDPOINT_FIELDS) {
    const value = metadata[field];
    if (value === undefined) continue;
    let ok: boolean;
    try {
      const u = new URL(String(value));
      ok = isSecureOrLoopback(u) && !u.username && !u.password;
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new SherpaError(
        'UNSAFE_URL',
        `Authorization server metadata ${field} is ${toTerminalLine(JSON.stringify(value), 200)}: not an https URL`,
        {
          hint: 'RFC 8414 §2: endpoints are https URLs (plain http only for a loopback lab). Sherpa will not call or open anything else.',
          details: { field },
        },
      );
    }
  }
}

function assertIssuer(config: client.Configuration, expected: URL): void {
  const actual = config.serverMetadata().issuer;
  if (new URL(actual).href !== expected.href) throw mismatch(expected.href, actual);
}

function mismatch(expected: string, actual: unknown): SherpaError {
  return new SherpaError(
    'AS_ISSUER_MISMATCH',
    `Authorization server metadata has issuer "${String(actual)}", expected "${expected}"`,
    {
      hint: 'RFC 8414 §3.3: the issuer in the metadata must equal the issuer you asked for; this server may be impersonating another.',
      details: { expected, actual },
    },
  );
}

function toIssuerMismatch(err: unknown, issuer: URL): SherpaError | undefined {
  if (err instanceof SherpaError && err.code === 'AS_ISSUER_MISMATCH') return err;
  const e = err as { code?: string; cause?: { attribute?: string; body?: { issuer?: unknown } } };
  if (e?.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' && e.cause?.attribute === 'issuer') {
    return mismatch(issuer.href, e.cause.body?.issuer);
  }
  return undefined;
}
