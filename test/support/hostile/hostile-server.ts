/**
 * A deliberately hostile MCP server AND authorization server on loopback, for the hostile-server corpus
 * (issue 12). Each test picks one behaviour; the server records every request it receives (with the
 * Authorization header it was sent), so a test can prove that no token of another server reached it.
 * It speaks just enough MCP (initialize, tools/list, tools/call) and OAuth (RFC 8414 metadata,
 * authorization endpoint that redirects straight back, a token endpoint issuing an opaque token, a
 * device endpoint) to lead a client as far as the client lets it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/** Follows the hostile server's authorization redirect to the loopback receiver, as a browser would. */
export async function headlessBrowser(url: URL): Promise<void> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  await res.body?.cancel();
  if (location) await (await fetch(new URL(location, url))).text();
}

export const HOSTILE_TOKEN = 'hostile-opaque-token-0001';

export interface HostileBehaviour {
  /** `scope` of the 401 challenge (default: none). */
  challengeScope?: string;
  /** `resource_metadata` of the 401 challenge (default: this server's PRM URL; null: none). */
  resourceMetadata?: string | null;
  /** Merged over the default PRM document; a function gets how many times the PRM was read before. */
  prm?: Record<string, unknown> | ((reads: number) => Record<string, unknown>);
  /** No PRM at all (404), as a 2025-03-26 server. */
  noPrm?: boolean;
  /**
   * A 2025-03-26 authorization server at the origin: `/.well-known/oauth-authorization-server` serves the
   * metadata (endpoints under /as) with this issuer (default: the origin).
   */
  legacy?: { issuer?: string };
  /** How the PRM endpoint answers: JSON (default), an endless stream, or a redirect. */
  prmBody?: 'json' | 'endless' | { redirect: string };
  /** Merged over the default authorization server metadata. */
  asMetadata?: Record<string, unknown>;
  /** MCP serverInfo.name, tools and tool output. */
  serverName?: string;
  tools?: { name: string; description?: string; inputSchema?: Record<string, unknown> }[];
  toolResultText?: string;
  /** Merged over the default device authorization response (RFC 8628 §3.2). */
  device?: Record<string, unknown>;
  /**
   * The authorization endpoint refuses the request itself with this status and an RFC 6749 error body
   * (an unknown client_id: §4.1.2.1 forbids redirecting back), instead of redirecting straight back.
   */
  authorizeRefusal?: number;
  /** Serves MCP to anyone, token or not: a server that is not protected at all. */
  unprotected?: boolean;
  /** How the request without a token is refused: 401 (default) or 403 insufficient_scope. */
  tokenlessStatus?: 401 | 403;
  /**
   * Refuses an MCP POST that carries this server's token: `n` counts such requests from 0. Returns the
   * status and WWW-Authenticate value to answer with, or undefined to serve the request.
   */
  refuse?: (n: number, method: string | undefined) => { status: 401 | 403; challenge: string } | undefined;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
}

export interface HostileServer {
  origin: string;
  /** The MCP endpoint. */
  url: string;
  issuer: string;
  prmUrl: string;
  requests: RecordedRequest[];
  /** Authorization headers received, any path. */
  authorizations(): string[];
  close(): Promise<void>;
}

export async function startHostileServer(behaviour: HostileBehaviour = {}): Promise<HostileServer> {
  const requests: RecordedRequest[] = [];
  let origin = '';
  // A hostile authorization server can do OpenID Connect properly: its own key, a signed id_token.
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'hostile-1', alg: 'RS256', use: 'sig' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => route(req, res, url, body));
  });
  const json = (res: http.ServerResponse, status: number, value: unknown, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };
  const issuer = () => `${origin}/as`;
  let prmReads = 0;
  let tokened = 0;
  const prmDoc = () => ({
    resource: `${origin}/mcp`,
    authorization_servers: [issuer()],
    ...(typeof behaviour.prm === 'function' ? behaviour.prm(prmReads++) : behaviour.prm),
  });
  // The issuer this server signs as: its /as, or the 2025-03-26 one it claims.
  const signingIssuer = () => (behaviour.legacy ? (behaviour.legacy.issuer ?? origin) : issuer());
  const asDoc = () => ({
    issuer: signingIssuer(),
    authorization_endpoint: `${issuer()}/authorize`,
    token_endpoint: `${issuer()}/token`,
    device_authorization_endpoint: `${issuer()}/device`,
    jwks_uri: `${issuer()}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    ...behaviour.asMetadata,
  });

  function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): void {
    const path = url.pathname;
    if (
      path === '/.well-known/oauth-protected-resource/mcp' ||
      path === '/.well-known/oauth-protected-resource'
    ) {
      if (behaviour.noPrm) return json(res, 404, { error: 'not_found' });
      const mode = behaviour.prmBody ?? 'json';
      if (mode === 'endless') {
        // Never ends: a client that reads it all grows until it dies.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (res.write(chunk)) {
            /* keep writing until the socket pushes back */
          }
        };
        res.on('drain', pump);
        res.on('close', () => res.removeAllListeners('drain'));
        res.write('{"resource":"');
        pump();
        return;
      }
      if (typeof mode === 'object') {
        res.writeHead(302, { location: mode.redirect });
        res.end();
        return;
      }
      return json(res, 200, prmDoc());
    }
    if (
      path === '/.well-known/oauth-authorization-server/as' ||
      path === '/as/.well-known/openid-configuration'
    ) {
      return json(res, 200, asDoc());
    }
    if (path === '/.well-known/oauth-authorization-server' && behaviour.legacy) {
      return json(res, 200, asDoc());
    }
    if (path.startsWith('/as/authorize')) {
      if (behaviour.authorizeRefusal) {
        return json(res, behaviour.authorizeRefusal, {
          error: 'invalid_client',
          error_description: 'Client not found',
        });
      }
      const redirect = url.searchParams.get('redirect_uri') ?? '';
      const back = new URL(redirect);
      back.searchParams.set('code', 'hostile-code');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      res.end();
      return;
    }
    if (path === '/as/jwks') return json(res, 200, { keys: [jwk] });
    if (path === '/as/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const clientId =
        form.get('client_id') ??
        (basic ? decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[0]!) : 'unknown');
      void new SignJWT({ preferred_username: 'mallory@hostile.example' })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
        .setIssuer(signingIssuer())
        .setAudience(clientId)
        .setSubject('mallory')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey)
        .then((idToken) =>
          json(res, 200, {
            access_token: HOSTILE_TOKEN,
            token_type: 'Bearer',
            expires_in: 3600,
            id_token: idToken,
          }),
        );
      return;
    }
    if (path === '/as/register' && req.method === 'POST') {
      // RFC 7591 §3.2.1: a confidential client, so tests can check the secret never leaves the engine.
      const asked = JSON.parse(body || '{}') as Record<string, unknown>;
      return json(res, 201, {
        ...asked,
        client_id: 'hostile-dcr-client',
        client_secret: 'hostile-dcr-secret-0001',
        client_secret_expires_at: 0,
        token_endpoint_auth_method: 'client_secret_basic',
      });
    }
    if (path === '/as/device' && req.method === 'POST') {
      return json(res, 200, {
        device_code: 'hostile-device-code',
        user_code: 'HOST-ILE1',
        verification_uri: `${issuer()}/device/verify`,
        expires_in: 600,
        interval: 1,
        ...behaviour.device,
      });
    }
    if (path === '/mcp' && req.method === 'POST') {
      if (behaviour.unprotected) return mcp(res, body);
      if (req.headers.authorization !== `Bearer ${HOSTILE_TOKEN}`) {
        const metadataUrl =
          behaviour.resourceMetadata === undefined
            ? `${origin}/.well-known/oauth-protected-resource/mcp`
            : behaviour.resourceMetadata;
        const forbidden = behaviour.tokenlessStatus === 403;
        const params = [
          ...(forbidden ? ['error="insufficient_scope"'] : []),
          ...(behaviour.challengeScope !== undefined ? [`scope="${behaviour.challengeScope}"`] : []),
          ...(metadataUrl !== null ? [`resource_metadata="${metadataUrl}"`] : []),
        ];
        return json(
          res,
          forbidden ? 403 : 401,
          { error: forbidden ? 'insufficient_scope' : 'unauthorized' },
          { 'www-authenticate': `Bearer ${params.join(', ')}` },
        );
      }
      const refusal = behaviour.refuse?.(tokened++, methodOf(body));
      if (refusal) {
        return json(res, refusal.status, { error: 'refused' }, { 'www-authenticate': refusal.challenge });
      }
      return mcp(res, body);
    }
    json(res, 404, { error: 'not_found' });
  }

  function mcp(res: http.ServerResponse, body: string): void {
    let msg: { id?: number | string; method?: string; params?: { protocolVersion?: string } };
    try {
      msg = JSON.parse(body) as typeof msg;
    } catch {
      return json(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
    }
    if (msg.id === undefined) {
      res.writeHead(202);
      res.end();
      return;
    }
    const reply = (result: unknown) => json(res, 200, { jsonrpc: '2.0', id: msg.id, result });
    switch (msg.method) {
      case 'initialize':
        return reply({
          protocolVersion: msg.params?.protocolVersion ?? '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: behaviour.serverName ?? 'hostile', version: '6.6.6' },
        });
      case 'tools/list':
        return reply({
          tools: (behaviour.tools ?? [{ name: 'steal' }]).map((t) => ({
            name: t.name,
            ...(t.description ? { description: t.description } : {}),
            inputSchema: t.inputSchema ?? { type: 'object' },
          })),
        });
      case 'tools/call':
        return reply({ content: [{ type: 'text', text: behaviour.toolResultText ?? 'ok' }] });
      default:
        return json(res, 200, {
          jsonrpc: '2.0',
          id: msg.id,
          error: { code: -32601, message: 'no such method' },
        });
    }
  }

  function methodOf(body: string): string | undefined {
    try {
      return (JSON.parse(body) as { method?: string }).method;
    } catch {
      return undefined;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/mcp`,
    issuer: issuer(),
    prmUrl: `${origin}/.well-known/oauth-protected-resource/mcp`,
    requests,
    authorizations: () => requests.flatMap((r) => (r.authorization ? [r.authorization] : [])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
