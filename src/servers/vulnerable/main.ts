import { startVulnerableServer, vulnerableServerOptionsFromEnv } from './index';

/**
 * Process entry for the vulnerable server (tests, containers). Settings: see options-from-env.ts. Prints
 * one JSON line `{"url":…,"origin":…}` on stdout once listening; logs go to stderr.
 */
let options;
try {
  options = vulnerableServerOptionsFromEnv(process.env);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const running = await startVulnerableServer(options);
process.stdout.write(JSON.stringify({ url: running.url, origin: running.origin }) + '\n');
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
