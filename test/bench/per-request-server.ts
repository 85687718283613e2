/**
 * Comparison server for `npm run bench`: the MCP SDK's documented *stateless* Streamable HTTP pattern —
 * a new McpServer and a new StreamableHTTPServerTransport for every POST, connected, used once, closed —
 * with the SAME tools as our secure server (registerSecureTools) and the same JWT checks done by jose on
 * every request (JWKS key set cached by jose as usual, but no verified-token cache). It exists only so the
 * bench can show "our multiplexed server ÷ per-request pattern". Loopback only. Prints `{"url","origin"}`.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { registerSecureTools } from '../../src/servers/secure/tools';
import { FileSecretStore } from '../../src/servers/secure/secrets/file-secret-store';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw Object.assign(new Error(`${name} is required`), { code: 'bad_env' });
  return value;
}

const issuer = requireEnv('BENCH_ISSUER');
const audiences = requireEnv('BENCH_AUDIENCES').split(',');
const tenantId = requireEnv('BENCH_TENANT_ID');
const secretsFile = requireEnv('BENCH_SECRETS_FILE');
const jwks = createRemoteJWKSet(new URL(requireEnv('BENCH_JWKS_URI')));
const secrets = new FileSecretStore(secretsFile);

function buildServer(): McpServer {
  const mcp = new McpServer({ name: 'bench-per-request', version: '0.0.0' }, { capabilities: { tools: {} } });
  registerSecureTools(mcp, { secrets });
  return mcp;
}

const app = express();
app.use(express.json({ limit: '64kb' }));
app.post('/mcp', async (req, res) => {
  // RFC 6750 §2.1 / §3.1: same checks as the secure server, minus its verified-token cache.
  const header = req.headers.authorization ?? '';
  const token = /^Bearer +(\S+)$/i.exec(header)?.[1];
  const challenge = 'Bearer realm="bench-per-request"';
  if (!token) {
    res.status(401).set('WWW-Authenticate', challenge).json({ code: 'missing_token' });
    return;
  }
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, jwks, {
      issuer,
      audience: audiences,
      algorithms: ['RS256'],
      clockTolerance: 60,
      requiredClaims: ['iss', 'aud', 'exp', 'iat'],
    }));
  } catch {
    res
      .status(401)
      .set('WWW-Authenticate', `${challenge}, error="invalid_token"`)
      .json({ code: 'invalid_token' });
    return;
  }
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ') : [];
  if (claims.tid !== tenantId || !scopes.includes('access_as_user')) {
    res
      .status(403)
      .set('WWW-Authenticate', `${challenge}, error="insufficient_scope"`)
      .json({ code: 'forbidden' });
    return;
  }
  (req as typeof req & { auth?: unknown }).auth = {
    token,
    clientId: String(claims.azp ?? ''),
    scopes,
    extra: { claims },
  };
  // The SDK's stateless example: fresh server + transport per request, closed when the response ends.
  const server = buildServer();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

const listener = app.listen(0, '127.0.0.1', () => {
  const origin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  process.stdout.write(JSON.stringify({ url: `${origin}/mcp`, origin }) + '\n');
});
process.on('SIGTERM', () => listener.close(() => process.exit(0)));
