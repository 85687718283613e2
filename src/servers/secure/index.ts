import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { defaultAllowedHosts } from '../shared/host-check';
import { listenHttp, type ServerLimits } from '../shared/listen';
import { createLogger } from '../shared/log';
import { createMcpHandler, runningMcpServer, type RunningMcpServer } from '../shared/mcp-app';
import { connectMultiplexed } from '../shared/multiplex-transport';
import { optionsInvalid } from '../shared/start-errors';
import { createBearerAuth } from './auth/bearer-auth';
import { discoverJwksUri } from './auth/discover-jwks-uri';
import type { IssuerKeySetOptions } from './auth/issuer-key-set';
import { createOutboundFetch, type OutboundHttpOptions } from './auth/outbound-fetch';
import { createAccessTokenVerifier } from './auth/verify-access-token';
import {
  buildProtectedResourceMetadata,
  protectedResourceMetadataRoutes,
  protectedResourceMetadataUrl,
} from './protected-resource-metadata';
import { FileSecretStore } from './secrets/file-secret-store';
import { createKeyVaultSecretStore } from './secrets/key-vault-secret-store';
import type { SecretStore } from './secrets/secret-store';
import { registerSecureTools } from './tools';
import { awaitingConfigurationAuth } from './awaiting-configuration';

export { secureServerOptionsFromEnv } from './options-from-env';

export interface SecureServerOptions {
  host: string;
  port: number;
  /** Public URL of the MCP endpoint (…/mcp): PRM `resource`. Default http://host:port/mcp. */
  resourceUrl?: string;
  issuer: string; // exact `iss`
  jwksUri?: string; // default: from the issuer's discovery document
  authorizationServers: string[]; // PRM authorization_servers (issuer URLs)
  audiences: string[]; // accepted `aud` values: client id GUID (v2), App ID URI (v1)
  /**
   * Settings still missing (SHERPA_API_CLIENT_ID before `sherpa azure configure`): the server serves its
   * metadata and answers MCP requests 503 (./awaiting-configuration.ts). `audiences` is then empty.
   */
  awaitingConfiguration?: string[];
  allowedTenants: string[]; // `tid` allow-list
  requiredScope: string; // 'access_as_user'
  /**
   * PRM `scopes_supported` and the `scope` of every challenge. Default `[{resourceUrl}/{requiredScope}]`.
   * Why not `api://{clientId}/access_as_user` (the workshop's choice): MCP clients send the PRM `resource`
   * (the server URL) as RFC 8707 `resource` together with these scopes, and Entra rejects a request whose
   * resource differs from the scope's identifier URI (AADSTS9010010). Registering the server URL as an
   * identifier URI of the API app and advertising `{that URI}/access_as_user` makes the pair agree.
   */
  scopesSupported?: string[];
  allowedHosts?: string[]; // Host header allow-list (DNS rebinding); default host:port + localhost:port
  secrets:
    { kind: 'file'; path: string } | { kind: 'key-vault'; vaultUrl: string; managedIdentityClientId: string };
  /** Timeouts and connection cap (slow or idle clients); defaults in shared/listen.ts. */
  limits?: ServerLimits;
  /** JWKS cooldown / max age / timeout / back-off after a failed download (auth/issuer-key-set.ts). */
  keySet?: IssuerKeySetOptions;
  /** Tokens whose `exp` is further ahead are refused (auth/verify-access-token.ts). Default 24 h. */
  maxTokenLifetimeSeconds?: number;
  /** Proxy and extra CA trust for reaching the issuer (discovery, JWKS): auth/outbound-fetch.ts. */
  outbound?: OutboundHttpOptions;
}

/**
 * Starts the OAuth 2.1 protected MCP server (MCP authorization 2025-11-25): RFC 9728 metadata, RFC 6750
 * bearer validation with jose (see auth/), per-user authorization in tools, secrets via the server's own
 * identity. Stateless: any replica can answer any request.
 */
export async function startSecureServer(o: SecureServerOptions): Promise<RunningMcpServer> {
  const logger = createLogger('secure-mcp');
  assertUsableOptions(o);
  const outboundFetch = createOutboundFetch(o.outbound);
  const awaiting = o.awaitingConfiguration?.length ? o.awaitingConfiguration : undefined;
  // Awaiting configuration no token is checked, so the issuer is not contacted either.
  const jwksUri = awaiting
    ? undefined
    : (o.jwksUri ?? (await discoverJwksUri(o.issuer, o.audiences[0]!, { fetch: outboundFetch })));
  const listening = await listenHttp(o.host, o.port, o.limits);
  try {
    const resourceUrl = o.resourceUrl ?? `${listening.origin}/mcp`;
    const scopes = o.scopesSupported ?? [`${resourceUrl}/${o.requiredScope}`];
    const metadataUrl = protectedResourceMetadataUrl(resourceUrl);
    const allowedHosts = o.allowedHosts ?? [
      ...defaultAllowedHosts(o.host, listening.port),
      new URL(resourceUrl).host.toLowerCase(),
    ];

    const mcp = new McpServer(
      { name: 'sherpa-secure-mcp', version: '0.1.0' },
      { capabilities: { tools: {} } },
    );
    registerSecureTools(mcp, { secrets: createSecretStore(o.secrets) });
    const transport = await connectMultiplexed(mcp);

    const handler = createMcpHandler({
      allowedHosts,
      transport,
      logger,
      authenticate:
        awaiting || !jwksUri
          ? awaitingConfigurationAuth(awaiting ?? [])
          : createBearerAuth(
              createAccessTokenVerifier({
                issuer: o.issuer,
                jwksUri,
                audiences: o.audiences,
                keySet: { ...o.keySet, fetch: outboundFetch },
                ...(o.maxTokenLifetimeSeconds !== undefined
                  ? { maxTokenLifetimeSeconds: o.maxTokenLifetimeSeconds }
                  : {}),
              }),
              { requiredScope: o.requiredScope, allowedTenants: o.allowedTenants, resourceUrl },
              { realm: 'sherpa-secure-mcp', scopes, resourceMetadataUrl: metadataUrl },
              logger,
            ),
      extraRoutes: protectedResourceMetadataRoutes(
        buildProtectedResourceMetadata({
          resourceUrl,
          authorizationServers: o.authorizationServers,
          scopesSupported: scopes,
        }),
      ),
    });
    listening.server.on('request', handler);
    logger.info('secure MCP server listening', {
      url: `${listening.origin}/mcp`,
      resource: resourceUrl,
      issuer: o.issuer,
    });
    if (awaiting)
      logger.warn('awaiting configuration: every MCP request is answered 503 until these are set', {
        missing: awaiting.join(', '),
        next: 'sherpa azure register, then sherpa azure configure',
      });
    return runningMcpServer(listening, mcp);
  } catch (err) {
    await listening.close();
    throw err;
  }
}

function assertUsableOptions(o: SecureServerOptions): void {
  const fail = (what: string) => {
    throw optionsInvalid(`SecureServerOptions.${what}`);
  };
  if (!o.issuer) fail('issuer is required');
  if (o.audiences.length === 0 && !o.awaitingConfiguration?.length)
    fail(
      'audiences must list at least one accepted `aud` (or name the missing settings in awaitingConfiguration)',
    );
  if (o.allowedTenants.length === 0) fail('allowedTenants must list at least one tenant id');
  if (o.authorizationServers.length === 0)
    fail('authorizationServers must not be empty (RFC 9728 / MCP require one)');
  if (!o.requiredScope) fail('requiredScope is required');
}

function createSecretStore(s: SecureServerOptions['secrets']): SecretStore {
  return s.kind === 'file'
    ? new FileSecretStore(s.path)
    : createKeyVaultSecretStore(s.vaultUrl, s.managedIdentityClientId);
}
