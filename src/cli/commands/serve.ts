import { SherpaError } from '../../core/errors';
import { secureServerOptionsFromEnv, startSecureServer } from '../../servers/secure/index';
import { startVulnerableServer, vulnerableServerOptionsFromEnv } from '../../servers/vulnerable/index';
import { print } from '../output';

export const serveUsage = `sherpa serve secure|vulnerable
  Starts one MCP server configured from the environment (container deployment). secure: see
  secureServerOptionsFromEnv; vulnerable: vulnerableServerOptionsFromEnv
  (HOST, PORT, REQUIRED_TOKEN, ALLOWED_HOSTS, TRUSTED_JWKS_URI).`;

export async function runServeCommand(argv: string[]): Promise<number> {
  const which = argv[0];
  let server: { url: string; close(): Promise<void> };
  if (which === 'secure') server = await startSecureServer(secureServerOptionsFromEnv(process.env));
  else if (which === 'vulnerable') {
    server = await startVulnerableServer(vulnerableServerOptionsFromEnv(process.env));
  } else
    throw new SherpaError('BAD_ARGUMENT', `serve needs 'secure' or 'vulnerable' (got '${which ?? ''}')`, {
      hint: serveUsage,
    });
  print(`${which} MCP server at ${server.url}`);
  await new Promise<void>((r) => {
    process.once('SIGINT', () => r());
    process.once('SIGTERM', () => r());
  });
  await server.close();
  return 0;
}
