import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, type RecordedRequest } from './http';
import type { AzureState } from './state';

/**
 * The Entra token endpoint as MSAL (under @azure/identity's ClientSecretCredential) calls it:
 * `GET /{tenant}/v2.0/.well-known/openid-configuration`, then `POST /{tenant}/oauth2/v2.0/token` with
 * grant_type=client_credentials and `scope={resource}/.default`. Tokens are JWT-shaped (HS256 with a key
 * only this server holds) and carry `aud`, `tid`, `oid`, `appid` like Entra's, so the services can check
 * audience and caller, and Sherpa can read the caller's `oid` for its temporary role grant.
 */
export class TokenService {
  private readonly key = randomBytes(32);
  readonly issued: { aud: string; oid: string }[] = [];

  constructor(
    private readonly state: () => AzureState,
    private readonly origin: () => string,
    private readonly record: (r: RecordedRequest) => void,
  ) {}

  /** The claims of a token this server issued, or undefined (bad signature, expired, not ours). */
  verify(token: string | undefined): { aud: string; oid: string; tid: string } | undefined {
    const [h, p, sig] = token?.split('.') ?? [];
    if (!h || !p || !sig) return undefined;
    if (createHmac('sha256', this.key).update(`${h}.${p}`).digest('base64url') !== sig) return undefined;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as {
      aud: string;
      oid: string;
      tid: string;
      exp: number;
    };
    return claims.exp * 1000 > Date.now() ? claims : undefined;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = this.state();
    const tenant = s.tenantId;
    this.record({
      service: 'login',
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
    });
    if (req.method === 'GET' && url.pathname === `/${tenant}/v2.0/.well-known/openid-configuration`) {
      const base = `${this.origin()}/${tenant}`;
      return sendJson(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        issuer: `${base}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        tenant_region_scope: 'NA',
        cloud_instance_name: 'microsoftonline.com',
      });
    }
    if (req.method === 'POST' && url.pathname === `/${tenant}/oauth2/v2.0/token`) {
      let body = '';
      for await (const chunk of req as AsyncIterable<Buffer>) body += chunk.toString('utf8');
      const form = new URLSearchParams(body);
      const fail = (status: number, error: string, code: number, description: string) =>
        sendJson(res, status, {
          error,
          error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
          error_codes: [code],
          timestamp: new Date().toISOString(),
          trace_id: randomUUID(),
          correlation_id: randomUUID(),
        });
      if (form.get('grant_type') !== 'client_credentials') {
        return fail(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
      }
      if (
        form.get('client_id') !== s.caller.clientId ||
        form.get('client_secret') !== s.caller.clientSecret
      ) {
        return fail(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
      }
      const scope = form
        .get('scope')
        ?.split(' ')
        .find((sc) => sc.endsWith('/.default'));
      if (!scope) return fail(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid.');
      const aud = scope.slice(0, -'/.default'.length).replace(/\/$/, '');
      const now = Math.floor(Date.now() / 1000);
      const claims = { aud, iss: `https://sts.windows.net/${tenant}/`, iat: now, nbf: now, exp: now + 3600 };
      const payload = {
        ...claims,
        tid: tenant,
        oid: s.caller.objectId,
        appid: s.caller.clientId,
        idtyp: 'app',
      };
      const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
      const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const sig = createHmac('sha256', this.key).update(`${h}.${p}`).digest('base64url');
      this.issued.push({ aud, oid: s.caller.objectId });
      return sendJson(res, 200, {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: `${h}.${p}.${sig}`,
      });
    }
    sendJson(res, 404, { error: 'not_found', error_description: `no ${req.method} ${url.pathname}` });
  }
}
