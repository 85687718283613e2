import type { ServerLimits } from './listen';
import { settingInvalid } from './start-errors';

const SETTINGS: [keyof ServerLimits, string, number][] = [
  ['headersTimeoutMs', 'SHERPA_HEADERS_TIMEOUT_MS', 1],
  ['requestTimeoutMs', 'SHERPA_REQUEST_TIMEOUT_MS', 1],
  ['keepAliveTimeoutMs', 'SHERPA_KEEP_ALIVE_TIMEOUT_MS', 1],
  ['maxConnections', 'SHERPA_MAX_CONNECTIONS', 1],
];

/**
 * Reads the connection limits both MCP servers share (defaults in listen.ts):
 *
 * | Variable                     | Meaning                                          | Default |
 * |------------------------------|--------------------------------------------------|---------|
 * | SHERPA_HEADERS_TIMEOUT_MS    | time for a client to send its request headers     | 10000   |
 * | SHERPA_REQUEST_TIMEOUT_MS    | time for the whole request, body included         | 30000   |
 * | SHERPA_KEEP_ALIVE_TIMEOUT_MS | idle time between requests on one connection      | 5000    |
 * | SHERPA_MAX_CONNECTIONS       | concurrent connections; more are closed at accept | 1024    |
 *
 * A value that is not a positive integer throws (SETTING_INVALID) naming the variable.
 */
export function serverLimitsFromEnv(env: NodeJS.ProcessEnv): ServerLimits | undefined {
  const limits: ServerLimits = {};
  for (const [key, name, min] of SETTINGS) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw settingInvalid(name, `'${raw}' is not a positive whole number`);
    }
    limits[key] = value;
  }
  return Object.keys(limits).length ? limits : undefined;
}
