/**
 * Standalone entry for the authorization server, used by its integration tests (and handy for poking at
 * it by hand): `PORT=0 DATA_DIR=/tmp/x STRICT=1 node --import tsx src/servers/authz/main.ts`.
 * Prints one JSON line `{"issuer","origin","jwksUri"}` on stdout when listening; logs go to stderr.
 * Optional: HOST, API_IDENTIFIER_URIS (comma-separated), ACCESS_TOKEN_TTL (seconds).
 */
import { LAB_HOST } from '../shared/lab-defaults';
import { startAuthorizationServer } from './index';

function readFlag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.toLowerCase());
}

const dataDir = process.env.DATA_DIR;
if (!dataDir) {
  process.stderr.write('DATA_DIR is required (where jwks.json and cookie-keys.json live)\n');
  process.exit(2);
}

const running = await startAuthorizationServer({
  host: process.env.HOST || LAB_HOST,
  port: Number(process.env.PORT ?? 0),
  dataDir,
  strict: readFlag(process.env.STRICT),
  apiIdentifierUris: process.env.API_IDENTIFIER_URIS?.split(',').filter(Boolean),
  accessTokenTtlSeconds: process.env.ACCESS_TOKEN_TTL ? Number(process.env.ACCESS_TOKEN_TTL) : undefined,
});
process.stdout.write(
  JSON.stringify({ issuer: running.issuer, origin: running.origin, jwksUri: running.jwksUri }) + '\n',
);

const stop = () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
