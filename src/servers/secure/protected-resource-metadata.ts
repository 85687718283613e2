import type { Express } from 'express';
import { getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { metadataHandler } from '@modelcontextprotocol/sdk/server/auth/handlers/metadata.js';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';

/**
 * Builds the RFC 9728 §2 Protected Resource Metadata document. `resource` is the EXACT MCP endpoint URL:
 * clients compare it with the URL they connected to (RFC 9728 §3.3) and the SDK client rejects anything
 * else (so `api://…` cannot go here).
 */
export function buildProtectedResourceMetadata(o: {
  resourceUrl: string;
  authorizationServers: string[];
  scopesSupported: string[];
}): OAuthProtectedResourceMetadata {
  return {
    resource: o.resourceUrl,
    authorization_servers: o.authorizationServers,
    scopes_supported: o.scopesSupported,
    bearer_methods_supported: ['header'],
    resource_name: 'Sherpa secure MCP server',
  };
}

/** The path-suffixed metadata URL (RFC 9728 §3.1): `/.well-known/oauth-protected-resource/mcp`. */
export function protectedResourceMetadataUrl(resourceUrl: string): string {
  return getOAuthProtectedResourceMetadataUrl(new URL(resourceUrl));
}

/**
 * Serves the PRM at the path-suffixed location (what MCP clients try first) and at the root form (older
 * clients). Only the SDK's `metadataHandler` is used — NOT `mcpAuthMetadataRouter`, which would also
 * re-serve the authorization server's metadata from this origin and mislead clients about who issues tokens.
 */
export function mountProtectedResourceMetadata(app: Express, metadata: OAuthProtectedResourceMetadata): void {
  const suffixed = new URL(protectedResourceMetadataUrl(metadata.resource)).pathname;
  const handler = metadataHandler(metadata);
  app.use(suffixed, handler);
  if (suffixed !== '/.well-known/oauth-protected-resource')
    app.use('/.well-known/oauth-protected-resource', handler);
}
