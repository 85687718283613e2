import { getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { sendJson } from '../shared/http-reply';
import type { RouteHandler } from '../shared/mcp-app';

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
 * Routes serving the PRM at the path-suffixed location (what MCP clients try first) and at the root form
 * (older clients), the way the SDK's `metadataHandler` does (GET; OPTIONS for CORS preflight; any origin
 * may read it, web-based MCP clients need that; other methods 405) — but only the PRM: NOT
 * `mcpAuthMetadataRouter`, which would also re-serve the authorization server's metadata from this origin
 * and mislead clients about who issues tokens. The document is serialised once.
 */
export function protectedResourceMetadataRoutes(
  metadata: OAuthProtectedResourceMetadata,
): Record<string, RouteHandler> {
  const body = JSON.stringify(metadata);
  const cors = { 'Access-Control-Allow-Origin': '*' };
  const handler: RouteHandler = (req, res) => {
    if (req.method === 'GET') return sendJson(res, 200, body, cors);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
        'Content-Length': 0,
      });
      return void res.end();
    }
    sendJson(
      res,
      405,
      JSON.stringify({
        error: 'method_not_allowed',
        error_description: `The method ${req.method} is not allowed for this endpoint`,
      }),
      { Allow: 'GET, OPTIONS' },
    );
  };
  const suffixed = new URL(protectedResourceMetadataUrl(metadata.resource)).pathname;
  return { [suffixed]: handler, '/.well-known/oauth-protected-resource': handler };
}
