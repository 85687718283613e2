import { LAB_DEFAULT_PORTS, LAB_HOST } from '../../core/lab-defaults';
import { startVulnerableServer } from './index';

/**
 * Process entry for the vulnerable server (tests, containers). Env: REQUIRED_TOKEN (required), HOST
 * (default 127.0.0.1), PORT (default 7481, 0 = ephemeral), TRUSTED_JWKS_URI, ALLOWED_HOSTS (comma list).
 * Prints one JSON line `{"url":…,"origin":…}` on stdout once listening; logs go to stderr.
 */
const env = process.env;
if (!env.REQUIRED_TOKEN) {
  process.stderr.write(
    'REQUIRED_TOKEN is not set: set it to the static bearer token the server should accept.\n',
  );
  process.exit(2);
}
const running = await startVulnerableServer({
  host: env.HOST || LAB_HOST,
  port: env.PORT !== undefined && env.PORT !== '' ? Number(env.PORT) : LAB_DEFAULT_PORTS.vulnerable,
  requiredToken: env.REQUIRED_TOKEN,
  trustedJwksUri: env.TRUSTED_JWKS_URI || undefined,
  allowedHosts: env.ALLOWED_HOSTS
    ? env.ALLOWED_HOSTS.split(',')
        .map((h) => h.trim())
        .filter(Boolean)
    : undefined,
});
process.stdout.write(JSON.stringify({ url: running.url, origin: running.origin }) + '\n');
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
