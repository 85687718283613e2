/**
 * Deliberately broken variants of the REAL secure server, for the audit's tests: a gate on loopback in
 * front of a real secure server process that adds exactly ONE defect, as a server that forgot one check
 * would behave. The production server has no switch to weaken it; the weakness lives here, in test code.
 * Where the defect is "accepts a token it should refuse", the gate applies the weaker check itself and,
 * when it passes, forwards the request with a token the real server accepts — which is what such a
 * server's tools would then run with.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';

export type Defect =
  | 'none'
  | 'no-audience-check'
  | 'accepts-alg-none'
  | 'skips-signature'
  | 'accepts-query-token'
  | 'no-www-authenticate'
  | 'no-resource-metadata'
  | 'ignores-scope'
  // Bearer handling (checks-bearer.ts)
  | 'crashes-on-malformed-token'
  | 'crashes-on-oversized-token'
  | 'reads-last-authorization'
  | 'case-sensitive-scheme'
  | 'accepts-any-opaque'
  | 'accepts-static-key';

/** The key the `accepts-static-key` variant takes besides real tokens: a shared API key. */
export const GATE_STATIC_KEY = 'sk-sherpa-shared-0001';

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export interface DefectGateOptions {
  defect: Defect;
  /** The real secure server's origin (it must know the gate's URL as its resource and allowed host). */
  upstream: string;
  /** A token the real server accepts (full scope), used where the defect lets a request through. */
  acceptedToken: string;
  issuer: string;
  jwksUri: string;
  audience: string;
  port: number;
}

export async function startDefectGate(
  o: DefectGateOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const jwks = createRemoteJWKSet(new URL(o.jwksUri));

  /** The token to forward instead of the presented one, when this gate's weaker check lets it pass. */
  async function weakAccept(token: string): Promise<boolean> {
    // An opaque-token server that never asks its authorization server (RFC 7662) whether it issued it.
    if (o.defect === 'accepts-any-opaque') return B64TOKEN.test(token) && token.split('.').length !== 3;
    if (o.defect === 'accepts-static-key') return token === GATE_STATIC_KEY;
    try {
      const header = decodeProtectedHeader(token);
      const claims = decodeJwt(token);
      const fresh = typeof claims.exp === 'number' && claims.exp > Date.now() / 1000;
      // Only the named check is missing: the scope is still checked, so a narrow token stays narrow.
      const scoped = String(claims.scp ?? '')
        .split(' ')
        .includes('access_as_user');
      if (!scoped) return false;
      switch (o.defect) {
        case 'accepts-alg-none':
          return header.alg === 'none';
        case 'skips-signature':
          return header.alg === 'RS256' && claims.iss === o.issuer && claims.aud === o.audience && fresh;
        case 'no-audience-check':
          await jwtVerify(token, jwks, { issuer: o.issuer, algorithms: ['RS256'] }); // no `audience`
          return true;
        default:
          return false;
      }
    } catch {
      return false;
    }
  }

  function forward(req: http.IncomingMessage, body: Buffer, path: string, authorization: string | undefined) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const headers = { ...req.headers };
        delete headers.authorization;
        if (authorization) headers.authorization = authorization;
        headers['content-length'] = String(body.length);
        const up = http.request(
          new URL(path, o.upstream),
          { method: req.method, headers, agent: false },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
            );
          },
        );
        up.on('error', reject);
        up.end(body);
      },
    );
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://gate.invalid');
      let authorization = req.headers.authorization;
      // Node keeps the first of two Authorization headers; this variant reads the last one.
      if (o.defect === 'reads-last-authorization') {
        const values: string[] = [];
        for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
          if (req.rawHeaders[i]!.toLowerCase() === 'authorization') values.push(req.rawHeaders[i + 1]!);
        if (values.length > 1) authorization = values.at(-1);
      }
      if (o.defect === 'case-sensitive-scheme' && authorization && !authorization.startsWith('Bearer '))
        authorization = undefined; // a parser comparing the scheme case-sensitively sees no bearer at all
      const raw = /^Bearer (.*)$/i.exec(authorization ?? '')?.[1] ?? '';
      if (
        (o.defect === 'crashes-on-malformed-token' && raw && !B64TOKEN.test(raw)) ||
        (o.defect === 'crashes-on-oversized-token' && raw.length > 8192)
      ) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
        return;
      }
      if (o.defect === 'accepts-query-token' && url.searchParams.has('access_token')) {
        authorization = `Bearer ${url.searchParams.get('access_token')}`;
        url.searchParams.delete('access_token');
      }
      const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
      if (presented && presented !== o.acceptedToken && (await weakAccept(presented))) {
        authorization = `Bearer ${o.acceptedToken}`;
      }
      try {
        let answer = await forward(req, body, url.pathname + url.search, authorization);
        if (
          o.defect === 'ignores-scope' &&
          answer.status === 403 &&
          /insufficient_scope/.test(String(answer.headers['www-authenticate']))
        ) {
          answer = await forward(req, body, url.pathname + url.search, `Bearer ${o.acceptedToken}`);
        }
        const headers = { ...answer.headers };
        if (o.defect === 'no-www-authenticate' && answer.status === 401) delete headers['www-authenticate'];
        if (o.defect === 'no-resource-metadata' && typeof headers['www-authenticate'] === 'string') {
          headers['www-authenticate'] = headers['www-authenticate'].replace(
            /,?\s*resource_metadata="[^"]*"/,
            '',
          );
        }
        delete headers['content-length'];
        delete headers['transfer-encoding'];
        res.writeHead(answer.status, headers);
        res.end(answer.body);
      } catch (err) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`gate: ${(err as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
