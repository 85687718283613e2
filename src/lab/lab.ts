import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  LAB_API_APP_ID_URI,
  LAB_API_CLIENT_ID,
  LAB_DEFAULT_PORTS,
  LAB_HOST,
  LAB_STATIC_TOKEN,
  LAB_TENANT_ID,
  LAB_USERS,
} from '../servers/shared/lab-defaults';
import { SherpaError, isSherpaError } from '../core/errors';
import { explainListenError } from '../servers/shared/start-errors';
import { ENTRA_AUTHORITY_HOST } from '../core/entra';
import { loadOrCreateLabCertificates } from '../servers/authz/lab-ca';
import { createLogger } from '../servers/shared/log';
import { startLabProxy } from './lab-proxy';
import { AZURE_CLIENT_ID, REQUIRED_SCOPE, VSCODE_CLIENT_ID } from '../core/well-known-ids';
import type { ForwardedAddress } from '../servers/authz/forwarded-addresses';
import { startAuthorizationServer } from '../servers/authz/index';
import { startSecureServer, type SecureServerOptions } from '../servers/secure/index';
import { startVulnerableServer } from '../servers/vulnerable/index';
import { findFreePorts } from './free-port';

export interface LabPorts {
  authorizationServer: number;
  vulnerable: number;
  secure: number;
  /** Entra mode only: the lab proxy. */
  proxy: number;
}

export interface StartLabOptions {
  host?: string;
  /** Fixed ports; 0 for any of them picks a free one. Default: LAB_DEFAULT_PORTS. */
  ports?: Partial<LabPorts>;
  /** Where signing keys, cookie keys and the local secret store live. Default `./.lab`. */
  dataDir?: string;
  /** Entra-strict authorization server: resource/scope mismatch rejected (AADSTS9010010), no DCR. */
  strict?: boolean;
  /**
   * The lab posing as Entra ID: the authorization server answers as
   * `https://login.microsoftonline.com/{tenant}/v2.0` over TLS (lab CA in `{dataDir}/lab-ca/`), reached
   * through the lab proxy; the secure server validates its tokens as it would Entra's. Combines with strict.
   */
  entra?: boolean;
  /**
   * The secure server's PRM `scopes_supported` (and challenge scope). Default `{server URL}/access_as_user`,
   * the pair Entra accepts; `api://{id}/access_as_user` reproduces the workshop's pair (AADSTS9010010 in
   * strict mode for clients that send the PRM `resource`).
   */
  secureScopesSupported?: string[];
}

/** What a client needs to reach the Entra-posing lab: `sherpa lab --entra --json` prints it as `entra`. */
export interface EntraLabInfo {
  /** `https://login.microsoftonline.com/{tenant}/v2.0`. */
  issuer: string;
  /** `https://login.microsoftonline.com/{tenant}`: MSAL's authority. */
  authority: string;
  authorityHost: string;
  /** Where the lab terminates TLS for that host, on loopback (`https://127.0.0.1:PORT`). */
  tlsOrigin: string;
  tlsPort: number;
  /** The proxy (`http.proxy`, `HTTPS_PROXY`, undici ProxyAgent) that tunnels the authority host to tlsPort. */
  proxyUrl: string;
  /** PEM of the lab CA that signed the certificate for the authority host (trust it, nothing else). */
  caPath: string;
  tenantId: string;
  clientIds: { vscode: string; azureCli: string; api: string };
  /** Identifier URIs of the lab API: `api://{api client id}` and the secure server's URL. */
  apiIdentifierUris: string[];
  users: { username: string; upn: string; oid: string }[];
}

/** What `sherpa lab --json` prints: the contract with the extension and the tests. */
export interface LabInfo {
  issuer: string;
  authorizationServer: string;
  vulnerable: string;
  secure: string;
  tenantId: string;
  clientId: string;
  dataDir: string;
  entra?: EntraLabInfo;
}

/** What a client needs to know of the lab to check its tokens: issuer, API client id (`aud`), tenant. */
export type LabIdentity = Pick<LabInfo, 'issuer' | 'clientId' | 'tenantId'>;

/** A lab a command talks to: as `sherpa lab --json` describes it; the data folder only when local. */
export type LabTarget = Omit<LabInfo, 'authorizationServer' | 'dataDir'> & { dataDir?: string };

export interface RunningLab extends LabInfo {
  /**
   * Registers where a remote browser reaches a lab port (the authorization server's sign-in pages, or a
   * client's loopback redirect receiver): see src/servers/authz/forwarded-addresses.ts. BAD_ARGUMENT.
   */
  addForwardedAddress(address: unknown): ForwardedAddress;
  /**
   * Lets the lab proxy (Entra mode) reach one more loopback port: a server the parent started next to the
   * lab. Only the parent can ask (control-channel.ts). BAD_ARGUMENT without a proxy or for a non-port.
   */
  allowProxyPort(port: unknown): number;
  close(): Promise<void>;
}

/** The loopback address that reaches a server bound to `host` (a wildcard bind answers on 127.0.0.1 too). */
function loopbackOf(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

/**
 * Starts the local lab: an Entra-shaped authorization server and both MCP servers, on loopback.
 * The secure server is configured exactly as it would be against Entra ID (issuer, audiences, tenant
 * allow-list, PRM), only the URLs differ — that is the point of the lab.
 */
export async function startLab(options: StartLabOptions = {}): Promise<RunningLab> {
  const host = options.host ?? LAB_HOST;
  const dataDir = resolve(options.dataDir ?? '.lab');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const wanted = { ...LAB_DEFAULT_PORTS, ...options.ports };
  const entra = options.entra ?? false;
  const free = await findFreePorts(host, 4);
  const ports: LabPorts = {
    authorizationServer: wanted.authorizationServer || free[0]!,
    vulnerable: wanted.vulnerable || free[1]!,
    secure: wanted.secure || free[2]!,
    proxy: entra ? wanted.proxy || free[3]! : 0,
  };
  const secureUrl = `http://${host}:${ports.secure}/mcp`;
  const certificates = entra
    ? await loadOrCreateLabCertificates(dataDir, { dnsNames: [ENTRA_AUTHORITY_HOST] })
    : undefined;

  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const authz = await startAuthorizationServer({
      host,
      port: ports.authorizationServer,
      dataDir,
      tenantId: LAB_TENANT_ID,
      apiIdentifierUris: [secureUrl],
      strict: options.strict ?? false,
      ...(certificates ? { entra: { tls: { cert: certificates.certPem, key: certificates.keyPem } } } : {}),
    });
    closers.push(() => authz.close());
    const tlsPort = Number(new URL(authz.origin).port);

    const proxy = certificates
      ? await startLabProxy({
          port: ports.proxy,
          tunnels: { [`${ENTRA_AUTHORITY_HOST}:443`]: { host: loopbackOf(host), port: tlsPort } },
          // The lab's own ports only; the MCP servers' are added as they start (below).
          loopbackPorts: [tlsPort],
          log: createLogger('lab-proxy'),
        })
      : undefined;
    if (proxy) closers.push(() => proxy.close());

    const secure = await startSecureServer(
      labSecureServerOptions(
        { host, port: ports.secure, secureUrl, dataDir, authz, proxy, certificates },
        options,
      ),
    );
    closers.push(() => secure.close());

    const vulnerable = await startVulnerableServer({
      host,
      port: ports.vulnerable,
      requiredToken: LAB_STATIC_TOKEN,
      // Its naive-JWT lesson needs the JWKS over plain fetch: not in Entra mode, where that is behind TLS.
      trustedJwksUri: entra ? undefined : authz.jwksUri,
    });
    closers.push(() => vulnerable.close());
    for (const url of [secure.url, vulnerable.url]) proxy?.allowLoopbackPort(Number(new URL(url).port));

    return {
      issuer: authz.issuer,
      authorizationServer: authz.origin,
      vulnerable: vulnerable.url,
      secure: secure.url,
      tenantId: LAB_TENANT_ID,
      clientId: LAB_API_CLIENT_ID,
      dataDir,
      ...(proxy && certificates ? { entra: entraLabInfo(authz, proxy, certificates, secureUrl) } : {}),
      addForwardedAddress: (address) => authz.addForwardedAddress(address),
      allowProxyPort: (port) => {
        if (!proxy) throw new SherpaError('BAD_ARGUMENT', 'the lab proxy runs only with --entra');
        return proxy.allowLoopbackPort(port);
      },
      close,
    };
  } catch (err) {
    await close();
    throw explainLabStartError(err, host);
  }
}

type LabAuthorizationServer = Awaited<ReturnType<typeof startAuthorizationServer>>;
type LabProxy = Awaited<ReturnType<typeof startLabProxy>>;
type LabCertificates = Awaited<ReturnType<typeof loadOrCreateLabCertificates>>;

/**
 * The secure server configured exactly as it would be against Entra ID (issuer, audiences, tenant
 * allow-list, PRM); in Entra mode it discovers the issuer through the lab proxy with the lab CA, as a
 * deployment behind a corporate proxy would.
 */
function labSecureServerOptions(
  at: {
    host: string;
    port: number;
    secureUrl: string;
    dataDir: string;
    authz: LabAuthorizationServer;
    proxy: LabProxy | undefined;
    certificates: LabCertificates | undefined;
  },
  options: StartLabOptions,
): SecureServerOptions {
  const { proxy, certificates, authz } = at;
  return {
    host: at.host,
    port: at.port,
    resourceUrl: at.secureUrl,
    issuer: authz.issuer,
    // Entra mode: discovered from https://login.microsoftonline.com/… through the proxy; the default lab
    // is told its JWKS directly.
    jwksUri: proxy ? undefined : authz.jwksUri,
    ...(proxy && certificates
      ? {
          outbound: {
            httpsProxy: proxy.url,
            httpProxy: proxy.url,
            noProxy: '',
            extraCaCertificates: [certificates.caPem],
          },
        }
      : {}),
    authorizationServers: [authz.issuer],
    // v2 tokens carry the client id GUID; v1 tokens would carry the App ID URI.
    audiences: [LAB_API_CLIENT_ID, LAB_API_APP_ID_URI],
    allowedTenants: [LAB_TENANT_ID],
    requiredScope: REQUIRED_SCOPE,
    ...(options.secureScopesSupported?.length ? { scopesSupported: options.secureScopesSupported } : {}),
    secrets: { kind: 'file', path: join(at.dataDir, 'secrets.json') },
  };
}

/** What Entra mode tells its clients: the authority, the proxy and CA to reach it, the ids and users. */
function entraLabInfo(
  authz: LabAuthorizationServer,
  proxy: LabProxy,
  certificates: LabCertificates,
  secureUrl: string,
): EntraLabInfo {
  return {
    issuer: authz.issuer,
    authority: authz.issuer.replace(/\/v2\.0$/, ''),
    authorityHost: ENTRA_AUTHORITY_HOST,
    tlsOrigin: authz.origin,
    tlsPort: Number(new URL(authz.origin).port),
    proxyUrl: proxy.url,
    caPath: certificates.caPath,
    tenantId: LAB_TENANT_ID,
    clientIds: { vscode: VSCODE_CLIENT_ID, azureCli: AZURE_CLIENT_ID, api: LAB_API_CLIENT_ID },
    apiIdentifierUris: [LAB_API_APP_ID_URI, secureUrl],
    users: LAB_USERS.map((u) => ({ username: u.username, upn: u.email, oid: u.oid })),
  };
}

const LAB_PORT_HINT =
  'Another lab (or another program) is listening there. Stop it (Ctrl-C in its terminal, or ' +
  '"Sherpa Lab: Stop Local Lab" in VS Code), or choose other ports: --as-port/--vulnerable-port/--secure-port/--proxy-port ' +
  '(0 = any free port), or `sherpa story --ephemeral-ports`.';

/** A busy port is the most common way the lab fails to start: say which port and what a lab user can do. */
function explainLabStartError(err: unknown, host: string): unknown {
  const raw = err as NodeJS.ErrnoException & { port?: number };
  if (raw?.code === 'EADDRINUSE') return explainListenError(err, host, raw.port ?? 0, LAB_PORT_HINT);
  if (isSherpaError(err, 'PORT_IN_USE')) {
    return new SherpaError('PORT_IN_USE', err.message, {
      hint: LAB_PORT_HINT,
      cause: err,
      details: err.details,
    });
  }
  return err;
}
