import { LAB_DEFAULT_PORTS, LAB_HOST } from '../../lab/lab-defaults';
import { serverLimitsFromEnv } from '../shared/limits-from-env';
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
  const fail = (name: string, how: string) => {
    throw Object.assign(new Error(`${name} ${how}.`), { code: 'missing_setting', setting: name });
  };
  const requiredToken = env.REQUIRED_TOKEN?.trim();
  if (!requiredToken)
    fail('REQUIRED_TOKEN', 'is not set: set it to the static bearer token the server should accept');
  const host = env.HOST || LAB_HOST;
  const port = env.PORT !== undefined && env.PORT !== '' ? Number(env.PORT) : LAB_DEFAULT_PORTS.vulnerable;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw Object.assign(new Error(`PORT is invalid: '${env.PORT}' is not a port number.`), {
      code: 'invalid_setting',
      setting: 'PORT',
    });
  }
  const allowedHosts = env.ALLOWED_HOSTS?.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if ((host === '0.0.0.0' || host === '::') && !allowedHosts?.length) {
    fail(
      'ALLOWED_HOSTS',
      `is not set: with HOST=${host}, list the public host name(s) clients use (e.g. my-app.azurecontainerapps.io)`,
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
