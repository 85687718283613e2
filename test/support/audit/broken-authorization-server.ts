/**
 * A small MCP server and its own authorization server on one loopback origin, for the audit's
 * authorization-server hygiene, registration, transport and compatibility checks: everything a client
 * needs to discover (401 challenge, PRM, RFC 8414 metadata) is correct, and each option adds one defect —
 * PKCE methods missing or with `plain`, no RFC 9207 `iss` (advertised or in responses), an /authorize that
 * redirects to any redirect_uri (an open redirector), a token endpoint without `no-store`, refresh tokens
 * for public clients with nothing binding them, an open registration endpoint that accepts anything, a
 * CIMD implementation that fetches any client_id URL (SSRF), a gateway that strips Authorization, an MCP
 * endpoint that ignores `Mcp-Method`. Its token endpoint never grants anything; with `acceptToken` the MCP
 * endpoint answers that one opaque value (a stand-in for a valid token) and nothing else.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BrokenAsOptions {
  /** `code_challenge_methods_supported`; undefined leaves it out. */
  pkce?: string[];
  /** Advertise RFC 9207 `authorization_response_iss_parameter_supported`. */
  iss: boolean;
  /** Redirect to whatever redirect_uri /authorize is given, registered or not. */
  openRedirect: boolean;
  /** The token endpoint's (error) responses carry `Cache-Control: no-store`. */
  noStore?: boolean;
  /** Public clients get refresh tokens (grant refresh_token, auth method none); with `dpop` they are bound. */
  refreshPublic?: 'unbound' | 'dpop';
  /** A registration endpoint: `strict` follows the MCP redirect rules (and RFC 7592), `open` accepts anything. */
  dcr?: 'strict' | 'open';
  /** Error redirects to a registered client's redirect_uri leave out `iss` (while it is advertised). */
  dropIssInResponse?: boolean;
  /** Advertise Client ID Metadata Documents; `fetches` GETs any client_id URL, `refuses` fetches nothing private. */
  cimd?: 'fetches' | 'refuses';
  /** The one bearer value the MCP endpoint accepts (an opaque stand-in for a valid token). */
  acceptToken?: string;
  /** A gateway in front of the MCP endpoint drops Authorization. */
  stripAuthorization?: boolean;
  /** At protocol 2026-07-28, run the body's method whatever `Mcp-Method` says (instead of 400/-32020). */
  ignoreMcpMethod?: boolean;
  /** The scope advertised: `mcp` (default), Entra-style `{server URL}/access_as_user`, or `api://…/access_as_user`. */
  scope?: 'bare' | 'url' | 'api';
}

export const CORRECT_AS: BrokenAsOptions = { pkce: ['S256'], iss: true, openRedirect: false, noStore: true };

/** What a registration body asks for, judged the way the MCP authorization spec asks (strict mode). */
function strictRefusal(body: Record<string, unknown>): string | undefined {
  const uris = Array.isArray(body.redirect_uris) ? body.redirect_uris.map(String) : [];
  if (!uris.length) return 'redirect_uris required';
  const confidential =
    body.token_endpoint_auth_method !== undefined && body.token_endpoint_auth_method !== 'none';
  for (const u of uris) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      return `not a URL: ${u}`;
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
      return `scheme not allowed: ${u}`;
    if (u.includes('*')) return 'no wildcards';
    if (confidential && loopback) return 'loopback redirect URIs are for public clients';
  }
  if (body.client_name === 'Visual Studio Code') return 'reserved client name';
  return undefined;
}

export async function startBrokenAuthorizationServer(
  o: BrokenAsOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  let origin = '';
  const json = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const scope = () =>
    o.scope === 'url'
      ? `${origin}/mcp/access_as_user`
      : o.scope === 'api'
        ? 'api://c0a8f3e2-71b4-4d69-a5e0-3f92b8d61c47/access_as_user'
        : 'mcp';
  const clients = new Map<string, { redirectUris: string[]; token?: string }>();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (url.pathname === '/mcp') {
      if (o.stripAuthorization) delete req.headers.authorization;
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (o.acceptToken && bearer === o.acceptToken && req.method === 'POST') {
        let rpc: { id?: unknown; method?: string } = {};
        try {
          rpc = JSON.parse(raw) as typeof rpc;
        } catch {
          return json(res, 400, {
            jsonrpc: '2.0',
            id: null,
            error: { code: -32700, message: 'parse error' },
          });
        }
        const header = req.headers['mcp-method'];
        if (req.headers['mcp-protocol-version'] === '2026-07-28') {
          if (header !== undefined && header !== rpc.method && !o.ignoreMcpMethod)
            return json(res, 400, {
              jsonrpc: '2.0',
              id: rpc.id ?? null,
              error: { code: -32020, message: 'Mcp-Method does not match the body' },
            });
        }
        return json(res, 200, {
          jsonrpc: '2.0',
          id: rpc.id ?? null,
          result: rpc.method === 'tools/list' ? { tools: [] } : {},
        });
      }
      // Every other request is refused: without a token with the challenge, with one as invalid_token.
      const challenge = `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="${scope()}"`;
      return json(
        res,
        401,
        { error: 'unauthorized' },
        {
          'www-authenticate': req.headers.authorization ? `${challenge}, error="invalid_token"` : challenge,
        },
      );
    }
    if (url.pathname === '/.well-known/oauth-protected-resource/mcp')
      return json(res, 200, {
        resource: `${origin}/mcp`,
        authorization_servers: [origin],
        scopes_supported: [scope()],
      });
    if (url.pathname === '/.well-known/oauth-authorization-server')
      return json(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', ...(o.refreshPublic ? ['refresh_token'] : [])],
        token_endpoint_auth_methods_supported:
          o.refreshPublic || o.dcr ? ['none', 'client_secret_basic'] : ['client_secret_basic'],
        ...(o.refreshPublic === 'dpop' ? { dpop_signing_alg_values_supported: ['ES256'] } : {}),
        ...(o.pkce ? { code_challenge_methods_supported: o.pkce } : {}),
        ...(o.iss ? { authorization_response_iss_parameter_supported: true } : {}),
        ...(o.dcr ? { registration_endpoint: `${origin}/register` } : {}),
        ...(o.cimd ? { client_id_metadata_document_supported: true } : {}),
      });
    if (url.pathname === '/token' && req.method === 'POST')
      // No grant ever exists here: every request is an RFC 6749 §5.2 error.
      return json(
        res,
        400,
        { error: 'invalid_grant' },
        o.noStore ? { 'cache-control': 'no-store', pragma: 'no-cache' } : {},
      );
    if (url.pathname === '/register' && req.method === 'POST' && o.dcr) {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      const refused = o.dcr === 'strict' ? strictRefusal(body) : undefined;
      if (refused) return json(res, 400, { error: 'invalid_redirect_uri', error_description: refused });
      const clientId = `client-${randomBytes(6).toString('hex')}`;
      const token = o.dcr === 'strict' ? randomBytes(24).toString('base64url') : undefined;
      const redirectUris = Array.isArray(body.redirect_uris) ? body.redirect_uris.map(String) : [];
      clients.set(clientId, { redirectUris, ...(token ? { token } : {}) });
      return json(res, 201, {
        ...body,
        client_id: clientId,
        ...(token
          ? { registration_access_token: token, registration_client_uri: `${origin}/register/${clientId}` }
          : {}),
      });
    }
    const managed = /^\/register\/([\w-]+)$/.exec(url.pathname);
    if (managed && req.method === 'DELETE') {
      const c = clients.get(managed[1]!);
      if (!c?.token || req.headers.authorization !== `Bearer ${c.token}`)
        return json(res, 401, { error: 'invalid_token' });
      clients.delete(managed[1]!);
      res.writeHead(204);
      return res.end();
    }
    if (url.pathname === '/authorize') {
      const redirectUri = url.searchParams.get('redirect_uri');
      const clientId = url.searchParams.get('client_id') ?? '';
      if (o.cimd === 'fetches' && /^https?:\/\//.test(clientId)) {
        // The defect: a client_id URL is fetched wherever it points, loopback and private ranges included.
        await fetch(clientId.replace(/^https:/, 'http:')).catch(() => undefined);
      }
      const client = clients.get(clientId);
      if (client && redirectUri && client.redirectUris.includes(redirectUri)) {
        const to = new URL(redirectUri);
        if (url.searchParams.get('response_type') !== 'code')
          to.searchParams.set('error', 'unsupported_response_type');
        else to.searchParams.set('code', randomBytes(8).toString('hex'));
        if (o.iss && !o.dropIssInResponse) to.searchParams.set('iss', origin);
        res.writeHead(302, { location: to.href });
        return res.end();
      }
      if (o.openRedirect && redirectUri) {
        // The defect: no client lookup, no redirect_uri comparison, the error goes wherever it was asked.
        const to = new URL(redirectUri);
        to.searchParams.set('error', 'unauthorized_client');
        res.writeHead(302, { location: to.href });
        return res.end();
      }
      res.writeHead(400, { 'content-type': 'text/html' });
      return res.end('<h1>Unknown client</h1>');
    }
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
