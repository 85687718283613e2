import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A Key-Vault-shaped HTTPS server plus a Managed-Identity token endpoint (the App Service / Container Apps
 * protocol: `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, api-version 2019-08-01), so the real
 * `@azure/keyvault-secrets` SecretClient and `@azure/identity` ManagedIdentityCredential can be exercised
 * without Azure. Wire shapes follow the public Key Vault REST reference ("Get Secret") and the App Service
 * managed identity docs. The TLS certificate is self-signed and generated per run with the openssl CLI.
 */
export interface KeyVaultTestServer {
  vaultUrl: string;
  /** PEM of the self-signed certificate: pass as `tlsOptions.ca`. */
  caPem: string;
  /** Value for IDENTITY_ENDPOINT / IDENTITY_HEADER. */
  identityEndpoint: string;
  identityHeader: string;
  /** Query strings the identity endpoint received (with the X-IDENTITY-HEADER it saw). */
  tokenRequests: { query: URLSearchParams; identityHeader: string | undefined }[];
  /** Authorization headers the vault saw, in order (undefined = none). */
  vaultAuthorizations: (string | undefined)[];
  /** The access token the identity endpoint hands out. */
  accessToken: string;
  addSecret(name: string, value: string, o?: { contentType?: string; enabled?: boolean }): void;
  close(): Promise<void>;
}

const VAULT_RESOURCE = 'https://vault.azure.net';
const TENANT = '6f1d4c2a-3b8e-4f7a-9c51-2d0e8b7a4f13';

export async function startKeyVaultTestServer(): Promise<KeyVaultTestServer> {
  const { key, cert } = createSelfSignedCertificate();
  const accessToken = `mi-${randomBytes(16).toString('hex')}`;
  const identityHeader = randomBytes(12).toString('hex');
  const secrets = new Map<
    string,
    { value: string; version: string; contentType?: string; enabled: boolean; created: number }
  >();
  const tokenRequests: KeyVaultTestServer['tokenRequests'] = [];
  const vaultAuthorizations: (string | undefined)[] = [];

  const vault = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://vault.local');
    vaultAuthorizations.push(req.headers.authorization);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${accessToken}`) {
      // Like the real service: an unauthenticated request gets the challenge that tells the client which
      // tenant and resource to get a token for.
      return json(
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="${VAULT_RESOURCE}"`,
        },
      );
    }
    const match = /^\/secrets\/([0-9a-zA-Z-]+)\/?([0-9a-f]*)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match || !url.searchParams.get('api-version')) {
      return json(400, { error: { code: 'BadParameter', message: 'Unsupported request' } });
    }
    const secret = secrets.get(match[1]!);
    if (!secret) {
      return json(404, {
        error: {
          code: 'SecretNotFound',
          message: `A secret with (name/id) ${match[1]} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`,
        },
      });
    }
    json(200, {
      value: secret.value,
      contentType: secret.contentType,
      id: `${vaultUrl}secrets/${match[1]}/${secret.version}`,
      attributes: {
        enabled: secret.enabled,
        created: secret.created,
        updated: secret.created,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
      },
      tags: { purpose: 'sherpa-test' },
    });
  });

  const identity = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://identity.local');
    const seen = req.headers['x-identity-header'];
    tokenRequests.push({
      query: url.searchParams,
      identityHeader: typeof seen === 'string' ? seen : undefined,
    });
    if (seen !== identityHeader) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ error: 'unauthorized', error_description: 'bad X-IDENTITY-HEADER' }));
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: accessToken,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: url.searchParams.get('resource'),
        token_type: 'Bearer',
        client_id: url.searchParams.get('client_id'),
      }),
    );
  });

  const listen = (s: http.Server) =>
    new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
  const vaultUrl = `https://127.0.0.1:${await listen(vault)}/`;
  const identityEndpoint = `http://127.0.0.1:${await listen(identity)}/msi/token`;
  const stop = (s: http.Server) =>
    new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });

  return {
    vaultUrl,
    caPem: cert,
    identityEndpoint,
    identityHeader,
    tokenRequests,
    vaultAuthorizations,
    accessToken,
    addSecret(name, value, o = {}) {
      secrets.set(name, {
        value,
        version: randomUUID().replace(/-/g, ''),
        contentType: o.contentType,
        enabled: o.enabled ?? true,
        created: Math.floor(Date.now() / 1000) - 60,
      });
    },
    close: async () => {
      await stop(vault);
      await stop(identity);
    },
  };
}

export function createSelfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sherpa-kv-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
