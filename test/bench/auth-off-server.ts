/**
 * "The same server with auth off", for `npm run bench`: the secure server's own pieces — listenHttp,
 * createMcpHandler, MultiplexTransport, McpServer with registerSecureTools — wired exactly as
 * startSecureServer wires them, except that `authenticate` hands every request the same caller (claims
 * decoded, not verified, from BENCH_CLAIMS_JSON) instead of checking a token. The difference between the
 * two is the cost of authentication. It also loads the secure server's whole module graph (openid-client,
 * the Azure SDK clients, …) so both processes carry the same code and heap and only `authenticate`
 * differs. Loopback only. Prints `{"url","origin"}`.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { defaultAllowedHosts } from '../../src/servers/shared/host-check';
import { listenHttp } from '../../src/servers/shared/listen';
import { createLogger } from '../../src/servers/shared/log';
import { createMcpHandler } from '../../src/servers/shared/mcp-app';
import { MultiplexTransport } from '../../src/servers/shared/multiplex-transport';
import { FileSecretStore } from '../../src/servers/secure/secrets/file-secret-store';
import { registerSecureTools } from '../../src/servers/secure/tools';
import '../../src/servers/secure/index';

const claimsJson = process.env.BENCH_CLAIMS_JSON;
const secretsFile = process.env.BENCH_SECRETS_FILE;
if (!claimsJson || !secretsFile)
  throw Object.assign(new Error('BENCH_CLAIMS_JSON and BENCH_SECRETS_FILE are required'), {
    code: 'bad_env',
  });
const claims = JSON.parse(claimsJson) as Record<string, unknown>;

const listening = await listenHttp('127.0.0.1', 0);
const mcp = new McpServer({ name: 'sherpa-secure-mcp', version: '0.1.0' }, { capabilities: { tools: {} } });
registerSecureTools(mcp, { secrets: new FileSecretStore(secretsFile) });
const transport = new MultiplexTransport();
await mcp.connect(transport);
const resource = new URL(`${listening.origin}/mcp`);
const caller: AuthInfo = {
  token: '',
  clientId: String(claims.azp ?? 'bench'),
  scopes: String(claims.scp ?? '').split(' '),
  resource,
  extra: { claims },
};
listening.server.on(
  'request',
  createMcpHandler({
    allowedHosts: defaultAllowedHosts('127.0.0.1', listening.port),
    transport,
    logger: createLogger('auth-off-bench'),
    authenticate: () => caller,
  }),
);
process.stdout.write(JSON.stringify({ url: `${listening.origin}/mcp`, origin: listening.origin }) + '\n');
process.on('SIGTERM', () => void listening.close().then(() => process.exit(0)));
