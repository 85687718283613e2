/**
 * A small MCP server and its own authorization server on one loopback origin, for the audit's
 * authorization-server hygiene checks: everything a client needs to discover (401 challenge, PRM, RFC 8414
 * metadata) is correct, and each option adds one defect — PKCE methods missing or with `plain`, no RFC 9207
 * `iss`, or an /authorize that redirects to any redirect_uri (an open redirector). It serves no token
 * endpoint that works and no MCP method: the hygiene checks never get that far, by design.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BrokenAsOptions {
  /** `code_challenge_methods_supported`; undefined leaves it out. */
  pkce?: string[];
  /** Advertise RFC 9207 `authorization_response_iss_parameter_supported`. */
  iss: boolean;
  /** Redirect to whatever redirect_uri /authorize is given, registered or not. */
  openRedirect: boolean;
}

export const CORRECT_AS: BrokenAsOptions = { pkce: ['S256'], iss: true, openRedirect: false };

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
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/mcp') {
      // Every request is refused: without a token with the challenge, with one as invalid_token.
      const challenge = `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="mcp"`;
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
        scopes_supported: ['mcp'],
      });
    if (url.pathname === '/.well-known/oauth-authorization-server')
      return json(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        ...(o.pkce ? { code_challenge_methods_supported: o.pkce } : {}),
        ...(o.iss ? { authorization_response_iss_parameter_supported: true } : {}),
      });
    if (url.pathname === '/authorize') {
      const redirectUri = url.searchParams.get('redirect_uri');
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
