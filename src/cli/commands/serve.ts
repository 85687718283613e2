import { SherpaError } from '../../core/errors';
import { LAB_STATIC_TOKEN } from '../../core/lab-defaults';
import { secureServerOptionsFromEnv, startSecureServer } from '../../servers/secure/index';
import { startVulnerableServer } from '../../servers/vulnerable/index';
import { print } from '../output';

export const serveUsage = `sherpa serve secure|vulnerable
  Starts one MCP server configured from the environment (container deployment). secure: see
  secureServerOptionsFromEnv; vulnerable: HOST, PORT, REQUIRED_TOKEN.`;

export async function runServeCommand(argv: string[]): Promise<number> {
  const which = argv[0];
  let server: { url: string; close(): Promise<void> };
  if (which === 'secure') server = await startSecureServer(secureServerOptionsFromEnv(process.env));
  else if (which === 'vulnerable') {
    server = await startVulnerableServer({
      host: process.env.HOST ?? '127.0.0.1',
      port: Number(process.env.PORT ?? 8000),
      requiredToken: process.env.REQUIRED_TOKEN ?? LAB_STATIC_TOKEN,
    });
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
