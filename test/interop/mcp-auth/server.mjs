// An MCP server built with the TypeScript SDK v1 (@modelcontextprotocol/sdk 1.32.2, McpServer + Streamable
// HTTP on Express) protected by npm `mcp-auth` 0.2.0 as its documentation's "resource server mode" shows:
// `protectedResources` metadata naming the lab (type oidc, discovered on first use),
// `protectedResourceMetadataRouter()` for RFC 9728, and `bearerAuth('jwt', { resource, audience })`.
// No `requiredScopes`: mcp-auth's 'jwt' mode reads scopes from `scope`/`scopes` only, and Entra-shaped tokens
// (the lab's) carry them in `scp` — requiring a scope would refuse every real token.
// Run by test/support/interop/node-servers.ts from the cached tool folder; configured through the environment:
//   PORT, LAB_ISSUER, LAB_AUDIENCE (the API's client id: the `aud` of the lab's tokens), LAB_SCOPE,
//   SHERPA_INTEROP_VARIANT = default | no-audience (no `audience`: the docs call it optional).
import express from 'express';
import { MCPAuth } from 'mcp-auth';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const { PORT, LAB_ISSUER, LAB_AUDIENCE, LAB_SCOPE } = process.env;
const variant = process.env.SHERPA_INTEROP_VARIANT ?? 'default';
const resource = `http://127.0.0.1:${PORT}/mcp`;

const mcpAuth = new MCPAuth({
  protectedResources: [
    {
      metadata: {
        resource,
        authorizationServers: [{ issuer: LAB_ISSUER, type: 'oidc' }],
        scopesSupported: [LAB_SCOPE],
      },
    },
  ],
});

const app = express();
app.use(mcpAuth.protectedResourceMetadataRouter());
app.use(
  '/mcp',
  mcpAuth.bearerAuth('jwt', {
    resource,
    ...(variant === 'no-audience' ? {} : { audience: LAB_AUDIENCE }),
  }),
);
app.use(express.json());

app.all('/mcp', async (req, res) => {
  const server = new McpServer({ name: 'mcp-auth-interop', version: '0.2.0' });
  server.registerTool('whoami', { description: 'Who the token says you are' }, async ({ authInfo }) => {
    const c = authInfo?.claims ?? {};
    return { content: [{ type: 'text', text: JSON.stringify({ oid: c.oid, name: c.name, scp: c.scp }) }] };
  });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => void transport.close());
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

app.listen(Number(PORT), '127.0.0.1', () => process.stdout.write(`ready ${PORT}\n`));
