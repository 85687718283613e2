import { secureServerOptionsFromEnv, startSecureServer } from './index';

/**
 * Process entry for the secure server (tests, containers). Settings: see options-from-env.ts. Prints one
 * JSON line `{"url":…,"origin":…}` on stdout once listening; logs go to stderr.
 */
let options;
try {
  options = secureServerOptionsFromEnv(process.env);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const running = await startSecureServer(options).catch((err: Error & { code?: string; hint?: string }) => {
  // e.g. discovery of the issuer failed: one clear line (and what to do), no stack, non-zero exit.
  process.stderr.write(
    `secure MCP server did not start: ${err.code ?? 'error'}: ${err.message}\n${err.hint ? `  → ${err.hint}\n` : ''}`,
  );
  process.exit(1);
});
process.stdout.write(JSON.stringify({ url: running.url, origin: running.origin }) + '\n');
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
