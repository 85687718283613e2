/**
 * Authorization server discovery as the MCP authorization spec 2025-03-26 defined it, for servers that
 * predate Protected Resource Metadata (RFC 9728): the "authorization base URL" is the MCP server URL
 * with its path removed; metadata is at `{base}/.well-known/oauth-authorization-server` (RFC 8414), and
 * when that is missing the client falls back to `{base}/authorize`, `{base}/token` and `{base}/register`
 * (2025-03-26 "Fallbacks for Servers without Metadata Discovery"). Fetching is openid-client's.
 * Only used when a server serves no PRM at all: a server that does is held to the current rules.
 */
import * as client from 'openid-client';
import { isLoopbackHost } from '../url';

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
  try {
    // A .well-known URL given to openid-client is fetched as is; 2025-03-26 had no issuer rule to check.
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
    return { metadata: { ...config.serverMetadata() }, method: 'legacy-metadata' };
  } catch {
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
}
