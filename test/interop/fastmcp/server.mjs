// An MCP server built with FastMCP for TypeScript (npm `fastmcp` 4.20.16), protected as its README's "OAuth
// Discovery Endpoints" section shows: `oauth.enabled` with the authorization server's metadata and the
// Protected Resource Metadata (RFC 9728), and an `authenticate` hook that validates the bearer JWT against the
// issuer's JWKS (the README uses get-jwks + fast-jwt; jose here, the same checks) and throws a 401 Response.
// Run by test/support/interop/node-servers.ts from the cached tool folder; configured through the environment:
//   PORT, LAB_ISSUER, LAB_AUDIENCE (the API's client id: the `aud` of the lab's tokens), LAB_SCOPE,
//   SHERPA_INTEROP_VARIANT = default | no-audience (signature only, as the README's example verifies: no
//   issuer, no audience).
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { FastMCP } from 'fastmcp';

const { PORT, LAB_ISSUER, LAB_AUDIENCE, LAB_SCOPE } = process.env;
const variant = process.env.SHERPA_INTEROP_VARIANT ?? 'default';
const mcpUrl = `http://127.0.0.1:${PORT}/mcp`;

const discovery = await (await fetch(`${LAB_ISSUER}/.well-known/openid-configuration`)).json();
const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
const scopeName = LAB_SCOPE.slice(LAB_SCOPE.lastIndexOf('/') + 1);

const unauthorized = (statusText) => new Response(null, { status: 401, statusText });

const server = new FastMCP({
  name: 'fastmcp-interop',
  version: '4.20.16',
  oauth: {
    enabled: true,
    authorizationServer: {
      issuer: discovery.issuer,
      authorizationEndpoint: discovery.authorization_endpoint,
      tokenEndpoint: discovery.token_endpoint,
      jwksUri: discovery.jwks_uri,
      responseTypesSupported: ['code'],
      codeChallengeMethodsSupported: discovery.code_challenge_methods_supported,
    },
    protectedResource: {
      resource: mcpUrl,
      authorizationServers: [discovery.issuer],
      scopesSupported: [LAB_SCOPE],
    },
  },
  authenticate: async (request) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw unauthorized('Missing or invalid authorization header');
    try {
      const { payload } = await jwtVerify(
        header.slice(7),
        jwks,
        variant === 'no-audience' ? {} : { issuer: LAB_ISSUER, audience: LAB_AUDIENCE },
      );
      const scopes = String(payload.scp ?? '').split(' ');
      if (variant !== 'no-audience' && !scopes.includes(scopeName)) throw new Error('scope');
      return { oid: payload.oid, name: payload.name, scp: payload.scp };
    } catch {
      throw unauthorized('Invalid OAuth token');
    }
  },
});

server.addTool({
  name: 'whoami',
  description: 'Who the token says you are',
  execute: async (_args, { session }) => JSON.stringify(session),
});

await server.start({
  transportType: 'httpStream',
  httpStream: { port: Number(PORT), host: '127.0.0.1', endpoint: '/mcp' },
});
process.stdout.write(`ready ${PORT}\n`);
