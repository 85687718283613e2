/**
 * Authorization server discovery as the MCP authorization spec 2025-03-26 defined it, for servers that
 * predate Protected Resource Metadata (RFC 9728): the "authorization base URL" is the MCP server URL
 * with its path removed; metadata is at `{base}/.well-known/oauth-authorization-server` (RFC 8414), and
 * when that is missing the client falls back to `{base}/authorize`, `{base}/token` and `{base}/register`
 * (2025-03-26 "Fallbacks for Servers without Metadata Discovery"). Fetching is openid-client's.
 * Only used when a server serves no PRM at all: a server that does is held to the current rules.
 */
import * as client from 'openid-client';
import { SherpaError } from '../errors';
import { guardRefusalOf } from '../net/guarded-fetch';
import { isLoopbackHost } from '../net/loopback';

export type LegacyDiscoveryMethod = 'legacy-metadata' | 'legacy-default-endpoints';

export interface LegacyAuthorizationServer {
  metadata: client.ServerMetadata;
  method: LegacyDiscoveryMethod;
}

/** Discovers the 2025-03-26 authorization server of `serverUrl` (never throws for a missing document). */
export async function discoverLegacyAuthorizationServer(
  serverUrl: string | URL,
  options: { fetch?: client.CustomFetch; timeoutSeconds?: number } = {},
): Promise<LegacyAuthorizationServer> {
  const base = new URL(serverUrl).origin;
  const loopback = isLoopbackHost(new URL(base).hostname);
  let metadata: client.ServerMetadata | undefined;
  try {
    // A .well-known URL given to openid-client is fetched as is, and openid-client then skips its issuer
    // check: it is done below.
    const config = await client.discovery(
      new URL('/.well-known/oauth-authorization-server', base),
      'legacy-discovery',
      undefined,
      client.None(),
      {
        algorithm: 'oauth2',
        ...(loopback ? { execute: [client.allowInsecureRequests] } : {}),
        ...(options.timeoutSeconds !== undefined ? { timeout: options.timeoutSeconds } : {}),
        ...(options.fetch ? { [client.customFetch]: options.fetch } : {}),
      },
    );
    metadata = { ...config.serverMetadata() };
  } catch (err) {
    // A refused request (internal address, redirect, endless body) is the server's doing: say so.
    const refusal = guardRefusalOf(err);
    if (refusal) throw refusal;
  }
  if (!metadata) {
    return {
      metadata: {
        issuer: base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        registration_endpoint: `${base}/register`,
        code_challenge_methods_supported: ['S256'],
      },
      method: 'legacy-default-endpoints',
    };
  }
  // RFC 8414 §3.3: the issuer is the URL the metadata URL was built from, here the 2025-03-26
  // authorization base URL, the MCP server's origin. Held to that origin (suite 0.1.16 adds a path):
  // otherwise the server names someone else's authorization server, or an internal address, as the
  // issuer its tokens come from, and everything keyed on the issuer (Entra rules, sessions) follows it.
  if (sameOrigin(metadata.issuer, base)) return { metadata, method: 'legacy-metadata' };
  throw new SherpaError(
    'AS_ISSUER_MISMATCH',
    `Authorization server metadata has issuer "${String(metadata.issuer).slice(0, 200)}", expected "${base}"`,
    {
      hint: 'RFC 8414 §3.3 and MCP 2025-03-26: a server without Protected Resource Metadata is its own authorization server, at its origin.',
      details: { expected: base, actual: metadata.issuer },
    },
  );
}

function sameOrigin(a: unknown, origin: string): boolean {
  try {
    return new URL(String(a)).origin === origin;
  } catch {
    return false;
  }
}
