import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearer, sendError, sendJson, type RecordedRequest, openExchange } from './http';
import type { TokenService } from './token-server';
import { ROLE, vaultId, type AzureState } from './state';

const KV_API_VERSION = '2025-07-01';
const KV_AUDIENCE = 'https://vault.azure.net';

/**
 * The Key Vault data plane (secrets) as @azure/keyvault-secrets calls it, shaped after
 * azure-rest-api-specs keyvault data-plane examples (GetSecrets, SetSecret, GetSecret): the bearer
 * challenge first, then RBAC — a caller needs Key Vault Secrets User/Officer on the vault (or above) to
 * read, Officer to write, and a new grant only reaches the data plane after `propagatesAfter` requests
 * (RBAC propagation), until then 403 ForbiddenByRbac.
 */
export class KeyVaultService {
  constructor(
    private readonly state: () => AzureState,
    private readonly tokens: TokenService,
    private readonly record: (r: RecordedRequest) => void,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = this.state();
    const { method, body, entry } = await openExchange('vault', req, res, url, {
      bodyMethods: ['PUT'],
      record: this.record,
    });
    const token = bearer(req);
    if (!token) {
      entry.status = 401;
      return sendJson(
        res,
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${s.tenantId}", resource="${KV_AUDIENCE}"`,
        },
      );
    }
    const claims = this.tokens.verify(token);
    if (!claims || claims.aud !== KV_AUDIENCE) {
      entry.status = 401;
      return sendError(res, 401, 'Unauthorized', `AKV10022: Invalid audience. Expected ${KV_AUDIENCE}.`);
    }
    if (url.searchParams.get('api-version') !== KV_API_VERSION) {
      entry.status = 400;
      return sendError(
        res,
        400,
        'BadParameter',
        `The specified version (${url.searchParams.get('api-version')}) is not recognized. Consider using the latest supported version (${KV_API_VERSION}).`,
      );
    }
    // Time passes with each data-plane request: pending grants get closer to taking effect.
    for (const r of s.roleAssignments) if (r.propagatesAfter > 0) r.propagatesAfter--;
    const write = method === 'PUT';
    const allowed = write
      ? [ROLE.keyVaultSecretsOfficer]
      : [ROLE.keyVaultSecretsOfficer, ROLE.keyVaultSecretsUser];
    const vault = vaultId(s).toLowerCase();
    const granted = s.roleAssignments.some(
      (r) =>
        r.principalId === claims.oid &&
        allowed.includes(r.roleGuid as never) &&
        vault.startsWith(r.scope.toLowerCase()) &&
        r.propagatesAfter === 0,
    );
    const dataAction = write
      ? 'setSecret/action'
      : url.pathname === '/secrets'
        ? 'readMetadata/action'
        : 'getSecret/action';
    if (!granted) {
      entry.status = 403;
      return sendError(
        res,
        403,
        'Forbidden',
        `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${s.caller.clientId};oid=${claims.oid};iss=https://sts.windows.net/${s.tenantId}/\r\nAction: 'Microsoft.KeyVault/vaults/secrets/${dataAction}'\r\nResource: '${vault}/secrets'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${s.vault.name};location=${s.location}\r\n`,
        { innererror: { code: 'ForbiddenByRbac' } },
      );
    }
    const base = s.vault.uri.replace(/\/$/, '');
    const bundle = (
      name: string,
      x: { value: string; version: string; updated: number },
      withValue: boolean,
    ) => ({
      ...(withValue ? { value: x.value } : {}),
      id: `${base}/secrets/${name}${withValue ? `/${x.version}` : ''}`,
      attributes: {
        enabled: true,
        created: x.updated,
        updated: x.updated,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 7,
      },
      tags: {},
    });
    if (method === 'GET' && url.pathname === '/secrets') {
      const all = [...s.vault.secrets.entries()];
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
      const next = new URL(url.pathname + url.search, base);
      next.searchParams.set('$skiptoken', String(skip + 1));
      entry.status = 200;
      return sendJson(res, 200, {
        value: all.slice(skip, skip + 1).map(([n, x]) => bundle(n, x, false)),
        nextLink: skip + 1 < all.length ? next.href : null,
      });
    }
    const one = /^\/secrets\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-f]{32}))?$/.exec(url.pathname);
    if (one && method === 'PUT') {
      const value = (body as { value?: unknown })?.value;
      if (typeof value !== 'string' || !value) {
        entry.status = 400;
        return sendError(
          res,
          400,
          'BadParameter',
          'Property value is required and must be a non-empty string.',
        );
      }
      const x = { value, version: randomUUID().replace(/-/g, ''), updated: Math.floor(Date.now() / 1000) };
      s.vault.secrets.set(one[1]!, x);
      entry.status = 200;
      return sendJson(res, 200, bundle(one[1]!, x, true));
    }
    if (one && method === 'GET') {
      const x = s.vault.secrets.get(one[1]!);
      entry.status = x ? 200 : 404;
      return x
        ? sendJson(res, 200, bundle(one[1]!, x, true))
        : sendError(
            res,
            404,
            'SecretNotFound',
            `A secret with (name/id) ${one[1]} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
          );
    }
    entry.status = 400;
    sendError(res, 400, 'BadParameter', `Unsupported request ${method} ${url.pathname}`);
  }
}
