import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type JWK,
  type JWTPayload,
  type CryptoKey,
} from 'jose';
import { LAB_API_CLIENT_ID, LAB_TENANT_ID, LAB_USERS } from '../../src/servers/shared/lab-defaults';

/**
 * A stand-in token issuer for server-side negative tests: an RSA key generated per test run, a JWKS served
 * on 127.0.0.1 (counting fetches, so tests can see the resource server's refetch behaviour) and a minting
 * function that signs Entra-v2-shaped access tokens. Nothing here verifies anything: the server under
 * test does that with jose.
 */
export interface TestIssuer {
  issuer: string;
  jwksUri: string;
  kid: string;
  /** The public key as SPKI PEM (for the HS256-keyed-with-the-public-key confusion attack). */
  publicKeyPem: string;
  /** Number of GET requests the JWKS endpoint has answered. */
  jwksFetches(): number;
  /** Signs a token: Entra-v2-shaped defaults for `user`, overridden by `claims` (undefined deletes a claim). */
  mint(claims?: Record<string, unknown>, opts?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export interface MintOptions {
  user?: 'alice' | 'bob';
  /** Sign with this key instead of the issuer's (e.g. an attacker's key reusing the kid). */
  key?: CryptoKey;
  kid?: string;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'test-key-1';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let fetches = 0;
  let origin = '';
  const server = http.createServer((req, res) => {
    if (req.url?.endsWith('/discovery/v2.0/keys')) {
      fetches++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    if (req.url === `/${LAB_TENANT_ID}/v2.0/.well-known/openid-configuration`) {
      // Just enough OpenID Provider Metadata for discovery (OIDC Discovery 1.0 §3).
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          issuer: `${origin}/${LAB_TENANT_ID}/v2.0`,
          authorization_endpoint: `${origin}/${LAB_TENANT_ID}/oauth2/v2.0/authorize`,
          token_endpoint: `${origin}/${LAB_TENANT_ID}/oauth2/v2.0/token`,
          jwks_uri: `${origin}/${LAB_TENANT_ID}/discovery/v2.0/keys`,
          response_types_supported: ['code'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/${LAB_TENANT_ID}/v2.0`;

  const mint = async (claims: Record<string, unknown> = {}, opts: MintOptions = {}) => {
    const user = LAB_USERS.find((u) => u.username === (opts.user ?? 'alice'))!;
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: issuer,
      aud: LAB_API_CLIENT_ID,
      iat: now,
      nbf: now,
      exp: now + 3600,
      tid: LAB_TENANT_ID,
      oid: user.oid,
      sub: user.oid,
      name: user.name,
      preferred_username: user.email,
      scp: 'access_as_user',
      roles: user.roles,
      azp: 'aebc6443-996d-45c2-90f0-388ff96faa56',
      ver: '2.0',
      ...claims,
    };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    return new SignJWT(payload as JWTPayload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: opts.kid ?? kid })
      .sign(opts.key ?? privateKey);
  };

  return {
    issuer,
    jwksUri: `${origin}/${LAB_TENANT_ID}/discovery/v2.0/keys`,
    kid,
    publicKeyPem: await exportSPKI(publicKey),
    jwksFetches: () => fetches,
    mint,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
