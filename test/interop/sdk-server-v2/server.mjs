// An MCP server built with the official TypeScript SDK v2 (@modelcontextprotocol/server 2.4.0 and its Express
// adapter), protected the way the adapter's README and doc comments say: `mcpAuthMetadataRouter` serves the
// Protected Resource Metadata (RFC 9728) naming the lab as authorization server, and `requireBearerAuth` with
// an `OAuthTokenVerifier` (here: jose against the lab's JWKS) guards /mcp. Run by
// test/support/interop/node-servers.ts from the cached tool folder; configured through the environment:
//   PORT, LAB_ISSUER, LAB_AUDIENCE (the API's client id: the `aud` of the lab's tokens), LAB_SCOPE,
//   SHERPA_INTEROP_VARIANT = default | no-audience (the verifier checks no `aud`, which the SDK lets a
//   verifier do: `expectedResource` is optional and the verifier is the application's own code).
import { createRemoteJWKSet, jwtVerify } from 'jose';
import {
  createMcpExpressApp,
  mcpAuthMetadataRouter,
  requireBearerAuth,
  getOAuthProtectedResourceMetadataUrl,
} from '@modelcontextprotocol/express';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { McpServer, OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';

const { PORT, LAB_ISSUER, LAB_AUDIENCE, LAB_SCOPE } = process.env;
const variant = process.env.SHERPA_INTEROP_VARIANT ?? 'default';
const mcpUrl = new URL(`http://127.0.0.1:${PORT}/mcp`);

const discovery = await (await fetch(`${LAB_ISSUER}/.well-known/openid-configuration`)).json();
const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));

/** The application's verifier (the SDK leaves token validation to it). */
const verifier = {
  async verifyAccessToken(token) {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: LAB_ISSUER,
        ...(variant === 'no-audience' ? {} : { audience: LAB_AUDIENCE }),
      });
      return {
        token,
        clientId: String(payload.azp ?? payload.client_id ?? ''),
        scopes: String(payload.scp ?? payload.scope ?? '')
          .split(' ')
          .filter(Boolean),
        expiresAt: payload.exp,
        extra: { oid: payload.oid, name: payload.name },
      };
    } catch (err) {
      throw new OAuthError(OAuthErrorCode.InvalidToken, err instanceof Error ? err.message : 'invalid token');
    }
  },
};

const app = createMcpExpressApp();
app.use(
  mcpAuthMetadataRouter({
    oauthMetadata: discovery,
    resourceServerUrl: mcpUrl,
    scopesSupported: [LAB_SCOPE],
    resourceName: 'SDK v2 interop server',
    // The lab's issuer is plain http on loopback.
    dangerouslyAllowInsecureIssuerUrl: true,
  }),
);
const auth = requireBearerAuth({
  verifier,
  requiredScopes: [LAB_SCOPE.slice(LAB_SCOPE.lastIndexOf('/') + 1)],
  resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
});

function newServer() {
  const server = new McpServer({ name: 'sdk-v2-interop', version: '2.4.0' });
  server.registerTool('whoami', { description: 'Who the token says you are' }, async (ctx) => {
    const info = ctx.http?.authInfo;
    const me = { oid: info?.extra?.oid, name: info?.extra?.name, scp: info?.scopes.join(' ') };
    return { content: [{ type: 'text', text: JSON.stringify(me) }] };
  });
  return server;
}

// Stateless, as the adapter's README shows: one server and transport per request.
app.all('/mcp', auth, async (req, res) => {
  const server = newServer();
  const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => void transport.close());
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

app.listen(Number(PORT), '127.0.0.1', () => process.stdout.write(`ready ${PORT}\n`));
