import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { defaultAllowedHosts } from '../shared/host-check';
import { listenHttp, type ServerLimits } from '../shared/listen';
import { createLogger } from '../shared/log';
import { createMcpHandler, runningMcpServer, type RunningMcpServer } from '../shared/mcp-app';
import { connectMultiplexed } from '../shared/multiplex-transport';
import { optionsInvalid } from '../shared/start-errors';
import { createStaticTokenAuth } from './static-token-auth';
import { registerVulnerableTools } from './tools';

export interface VulnerableServerOptions {
  host: string;
  port: number;
  /** REQUIRED_TOKEN env var in `serve` mode; lab default LAB_STATIC_TOKEN. */
  requiredToken: string;
  /** Naive JWT acceptance: signature checked against this JWKS, nothing else (no aud/exp/iss). */
  trustedJwksUri?: string;
  allowedHosts?: string[];
  /** Timeouts and connection cap (slow or idle clients); defaults in shared/listen.ts. */
  limits?: ServerLimits;
}

export type { RunningMcpServer };
export { vulnerableServerOptionsFromEnv } from './options-from-env';

/**
 * Starts the DELIBERATELY VULNERABLE MCP server (workshop waypoint 1): Streamable HTTP (stateless, JSON
 * responses) at `/mcp`, guarded only by a static shared bearer token — see static-token-auth.ts for why
 * that is wrong. It still binds loopback and checks Host/Origin: the lab must not expose it.
 */
export async function startVulnerableServer(o: VulnerableServerOptions): Promise<RunningMcpServer> {
  if (!o.requiredToken) throw optionsInvalid('VulnerableServerOptions.requiredToken must not be empty');
  const logger = createLogger('vulnerable-mcp');
  const listening = await listenHttp(o.host, o.port, o.limits);
  const mcp = new McpServer(
    { name: 'sherpa-vulnerable-mcp', version: '0.1.0' },
    { capabilities: { tools: {} } },
  );
  registerVulnerableTools(mcp);
  const transport = await connectMultiplexed(mcp);

  const handler = createMcpHandler({
    allowedHosts: o.allowedHosts ?? defaultAllowedHosts(o.host, listening.port),
    transport,
    logger,
    authenticate: createStaticTokenAuth({
      requiredToken: o.requiredToken,
      trustedJwksUri: o.trustedJwksUri,
      realm: 'sherpa-vulnerable-mcp',
      logger,
    }),
  });
  listening.server.on('request', handler);
  logger.info('vulnerable MCP server listening (static token — insecure by design)', {
    url: `${listening.origin}/mcp`,
  });
  return runningMcpServer(listening, mcp);
}
