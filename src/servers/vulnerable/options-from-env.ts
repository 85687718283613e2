import { LAB_DEFAULT_PORTS, LAB_HOST } from '../shared/lab-defaults';
import { serverLimitsFromEnv } from '../shared/limits-from-env';
import { settingInvalid, settingMissing } from '../shared/start-errors';
import type { VulnerableServerOptions } from './index';

/**
 * Reads the vulnerable server's settings from the environment (containers, `sherpa serve vulnerable`).
 *
 * | Variable         | Meaning                                             | Default                          |
 * |------------------|-----------------------------------------------------|----------------------------------|
 * | REQUIRED_TOKEN   | the static bearer token (the lesson)                | required                         |
 * | HOST / PORT      | bind address                                        | 127.0.0.1 / 7481                 |
 * | ALLOWED_HOSTS    | Host header allow-list, comma list                  | host:port + localhost:port; required when HOST is 0.0.0.0/:: |
 * | TRUSTED_JWKS_URI | naive JWT acceptance (signature only)               | unset                            |
 * | SHERPA_*_TIMEOUT_MS, SHERPA_MAX_CONNECTIONS | slow/idle client limits (shared/limits-from-env.ts) | listen.ts |
 *
 * Why ALLOWED_HOSTS is required on 0.0.0.0: behind an ingress the Host header is the public name, which
 * the server cannot guess — without it every request would be refused as a DNS-rebinding attempt.
 */
export function vulnerableServerOptionsFromEnv(env: NodeJS.ProcessEnv): VulnerableServerOptions {
  const requiredToken = env.REQUIRED_TOKEN?.trim();
  if (!requiredToken)
    throw settingMissing('REQUIRED_TOKEN', 'set it to the static bearer token the server should accept');
  const host = env.HOST || LAB_HOST;
  const port = env.PORT !== undefined && env.PORT !== '' ? Number(env.PORT) : LAB_DEFAULT_PORTS.vulnerable;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw settingInvalid('PORT', `'${env.PORT}' is not a port number`);
  }
  const allowedHosts = env.ALLOWED_HOSTS?.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if ((host === '0.0.0.0' || host === '::') && !allowedHosts?.length) {
    throw settingMissing(
      'ALLOWED_HOSTS',
      `with HOST=${host}, list the public host name(s) clients use (e.g. my-app.azurecontainerapps.io)`,
    );
  }
  return {
    host,
    port,
    requiredToken: requiredToken!,
    trustedJwksUri: env.TRUSTED_JWKS_URI || undefined,
    allowedHosts: allowedHosts?.length ? allowedHosts : undefined,
    limits: serverLimitsFromEnv(env),
  };
}
