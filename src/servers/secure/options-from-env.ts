import { LAB_DEFAULT_PORTS, LAB_HOST } from '../shared/lab-defaults';
import { REQUIRED_SCOPE } from '../../core/well-known-ids';
import type { SherpaError } from '../../core/errors';
import { serverLimitsFromEnv } from '../shared/limits-from-env';
import { settingInvalid, settingMissing } from '../shared/start-errors';
import type { SecureServerOptions } from './index';

/**
 * Reads the secure server's settings from the environment (containers, `sherpa serve secure`).
 *
 * | Variable                   | Meaning                                                        | Default            |
 * |----------------------------|----------------------------------------------------------------|--------------------|
 * | SHERPA_ISSUER              | exact `iss`, e.g. https://login.microsoftonline.com/{tid}/v2.0 | required           |
 * | SHERPA_JWKS_URI            | issuer's JWKS                                                   | from discovery     |
 * | SHERPA_API_CLIENT_ID       | API app's client id GUID = `aud` of v2 tokens                  | unset → awaiting configuration |
 * | SHERPA_API_AUDIENCES       | extra accepted `aud`s, comma list (e.g. api://… for v1 tokens) | none               |
 * | SHERPA_ALLOWED_TENANTS     | `tid` allow-list, comma list                                   | required           |
 * | SHERPA_REQUIRED_SCOPE      | delegated scope name required in `scp`                          | access_as_user     |
 * | SHERPA_SCOPES_SUPPORTED    | PRM `scopes_supported`, comma list                             | {resource}/{scope} |
 * | SHERPA_RESOURCE_URL        | public URL of /mcp (PRM `resource`)                             | http://HOST:PORT/mcp; required when HOST is 0.0.0.0/:: |
 * | HOST / PORT                | bind address                                                   | 127.0.0.1 / 7482   |
 * | ALLOWED_HOSTS              | Host header allow-list, comma list                             | host:port + localhost:port + resource host |
 * | KEY_VAULT_URL              | use Azure Key Vault for secrets                                | unset → file       |
 * | MANAGED_IDENTITY_CLIENT_ID | client id of the user-assigned managed identity (NOT the app)  | required with KEY_VAULT_URL |
 * | SECRETS_FILE               | local JSON secrets file (lab)                                   | required without KEY_VAULT_URL |
 * | SHERPA_*_TIMEOUT_MS, SHERPA_MAX_CONNECTIONS | slow/idle client limits (shared/limits-from-env.ts) | listen.ts |
 * | SHERPA_JWKS_COOLDOWN_MS    | least time between unknown-kid JWKS refetches                  | 2000               |
 * | SHERPA_JWKS_MAX_WAIT_MS    | unknown kid waits this long for a refetch, else 503            | the cooldown       |
 * | SHERPA_JWKS_MAX_AGE_MS     | JWKS refreshed when older than this                            | 600000             |
 * | SHERPA_MAX_TOKEN_LIFETIME_SECONDS | tokens whose `exp` is further ahead are refused          | 86400              |
 * | HTTPS_PROXY / HTTP_PROXY / NO_PROXY | proxy for reaching the issuer (discovery, JWKS)       | direct             |
 * | NODE_EXTRA_CA_CERTS        | extra CA file trusted for the issuer (node reads it itself)    | node's roots       |
 *
 * Without SHERPA_API_CLIENT_ID the server starts awaiting configuration (./awaiting-configuration.ts):
 * the first `azd provision` runs before the app registration exists, and a server that exited would leave
 * a crash-looping revision. Every other missing or malformed setting throws an Error (code `missing_setting` / `invalid_setting`) whose
 * message names the variable and says how to fix it.
 */
export function secureServerOptionsFromEnv(env: NodeJS.ProcessEnv): SecureServerOptions {
  const host = env.HOST || LAB_HOST;
  const port = readPort(env);
  const issuer = requireSetting(
    env,
    'SHERPA_ISSUER',
    'the token issuer, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0',
  );
  readUrl('SHERPA_ISSUER', issuer);
  const clientId = env.SHERPA_API_CLIENT_ID?.trim() || undefined;
  const tenants = readList(
    requireSetting(
      env,
      'SHERPA_ALLOWED_TENANTS',
      'a comma list of Entra tenant ids whose tokens are accepted',
    ),
  );
  const bindsEverywhere = host === '0.0.0.0' || host === '::';
  if (bindsEverywhere && !env.SHERPA_RESOURCE_URL) {
    throw settingError(
      'missing',
      'SHERPA_RESOURCE_URL',
      `must be set when HOST is ${host}: give the public https URL of /mcp`,
    );
  }
  const resourceUrl = env.SHERPA_RESOURCE_URL || undefined;
  if (resourceUrl) readUrl('SHERPA_RESOURCE_URL', resourceUrl);
  if (env.SHERPA_JWKS_URI) readUrl('SHERPA_JWKS_URI', env.SHERPA_JWKS_URI);

  let secrets: SecureServerOptions['secrets'];
  if (env.KEY_VAULT_URL) {
    readUrl('KEY_VAULT_URL', env.KEY_VAULT_URL);
    const mi = requireSetting(
      env,
      'MANAGED_IDENTITY_CLIENT_ID',
      "the client id of the managed identity that may read the vault (not the API app's client id)",
    );
    secrets = { kind: 'key-vault', vaultUrl: env.KEY_VAULT_URL, managedIdentityClientId: mi };
  } else {
    const path = requireSetting(
      env,
      'SECRETS_FILE',
      'a path for the local secrets JSON file, or set KEY_VAULT_URL to use Azure Key Vault',
    );
    secrets = { kind: 'file', path };
  }

  return {
    host,
    port,
    resourceUrl,
    issuer,
    jwksUri: env.SHERPA_JWKS_URI || undefined,
    authorizationServers: [issuer],
    audiences: clientId ? [clientId, ...readList(env.SHERPA_API_AUDIENCES ?? '')] : [],
    awaitingConfiguration: clientId ? undefined : ['SHERPA_API_CLIENT_ID'],
    allowedTenants: tenants,
    requiredScope: env.SHERPA_REQUIRED_SCOPE || REQUIRED_SCOPE,
    scopesSupported: env.SHERPA_SCOPES_SUPPORTED ? readList(env.SHERPA_SCOPES_SUPPORTED) : undefined,
    allowedHosts: env.ALLOWED_HOSTS ? readList(env.ALLOWED_HOSTS) : undefined,
    secrets,
    limits: serverLimitsFromEnv(env),
    keySet: readKeySetSettings(env),
    ...readMaxTokenLifetime(env),
    outbound: readOutboundSettings(env),
  };
}

/** The proxy variables every proxy-aware tool reads (lower case wins, as in curl); undefined = direct. */
function readOutboundSettings(env: NodeJS.ProcessEnv): SecureServerOptions['outbound'] {
  const pick = (name: string) => env[name.toLowerCase()]?.trim() || env[name]?.trim() || undefined;
  const httpsProxy = pick('HTTPS_PROXY');
  const httpProxy = pick('HTTP_PROXY');
  const noProxy = pick('NO_PROXY');
  if (httpsProxy) readUrl('HTTPS_PROXY', httpsProxy);
  if (httpProxy) readUrl('HTTP_PROXY', httpProxy);
  return httpsProxy || httpProxy ? { httpsProxy, httpProxy, noProxy } : undefined;
}

function readMaxTokenLifetime(env: NodeJS.ProcessEnv): { maxTokenLifetimeSeconds?: number } {
  const name = 'SHERPA_MAX_TOKEN_LIFETIME_SECONDS';
  const raw = env[name]?.trim();
  if (!raw) return {};
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw settingError('invalid', name, `'${raw}' is not a positive whole number of seconds`);
  return { maxTokenLifetimeSeconds: value };
}

function readKeySetSettings(env: NodeJS.ProcessEnv): SecureServerOptions['keySet'] {
  const read = (name: string) => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0)
      throw settingError('invalid', name, `'${raw}' is not a whole number of milliseconds`);
    return value;
  };
  const cooldownMs = read('SHERPA_JWKS_COOLDOWN_MS');
  const maxAgeMs = read('SHERPA_JWKS_MAX_AGE_MS');
  const maxWaitMs = read('SHERPA_JWKS_MAX_WAIT_MS');
  const settings = Object.fromEntries(
    Object.entries({ cooldownMs, maxAgeMs, maxWaitMs }).filter(([, v]) => v !== undefined),
  );
  return Object.keys(settings).length ? settings : undefined;
}

function settingError(kind: 'missing' | 'invalid', name: string, how: string): SherpaError {
  return kind === 'missing' ? settingMissing(name, how) : settingInvalid(name, how);
}

function requireSetting(env: NodeJS.ProcessEnv, name: string, how: string): string {
  const value = env[name]?.trim();
  if (!value) throw settingError('missing', name, `set it to ${how}`);
  return value;
}

function readList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function readUrl(name: string, value: string): void {
  try {
    new URL(value);
  } catch {
    throw settingError('invalid', name, `'${value}' is not an absolute URL`);
  }
}

function readPort(env: NodeJS.ProcessEnv): number {
  if (env.PORT === undefined || env.PORT === '') return LAB_DEFAULT_PORTS.secure;
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw settingError('invalid', 'PORT', `'${env.PORT}' is not a port number (0-65535; 0 = any free port)`);
  }
  return port;
}
