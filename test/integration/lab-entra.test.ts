/**
 * The lab posing as Entra ID (`sherpa lab --entra`), as real Entra clients see it: a real msal-node
 * PublicClientApplication on authority https://login.microsoftonline.com/{tenant}, reaching it through the
 * lab proxy with the lab CA trusted (as a client behind a corporate TLS proxy would), then the secure MCP
 * server with the token. All traffic stays on loopback: the proxy refuses anything else.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicClientApplication, type INetworkModule, type NetworkResponse } from '@azure/msal-node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import {
  LAB_API_CLIENT_ID,
  LAB_OTHER_API_APP_ID_URI,
  LAB_TENANT_ID,
  LAB_USERS,
} from '../../src/servers/shared/lab-defaults';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { driveLabLogin, entraLabRoute, approveLabDeviceCode, type LabRoute } from '../../src/lab/lab-login';
import { connectThrough } from '../support/http-request';
import {
  ENTRA_LAB_AUTHORITY,
  ENTRA_LAB_REDIRECT,
  entraAuthorizeUrl,
  pkcePair,
  signInThroughEntraLab,
} from '../support/entra-lab-sign-in';
import { startLabProcess, type LabProcess } from '../support/lab';
import { secureServerEnv, startServerProcess } from '../support/server-process';

const [alice, bob] = LAB_USERS as unknown as [(typeof LAB_USERS)[0], (typeof LAB_USERS)[0]];
const AUTHORITY = ENTRA_LAB_AUTHORITY;
const REDIRECT = ENTRA_LAB_REDIRECT;

/** msal-node's network hook (`system.networkClient`) over the lab route: proxy + lab CA. */
function networkClientVia(route: LabRoute): INetworkModule {
  const send = async <T>(
    url: string,
    method: 'GET' | 'POST',
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<NetworkResponse<T>> => {
    const res = await route.fetch(url, { method, headers: options?.headers, body: options?.body });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    return {
      headers,
      body: (await res.json()) as T,
      status: res.status,
    };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', options),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

async function listTools(mcpUrl: string, token: string): Promise<string[]> {
  const client = new Client({ name: 'entra-lab-test', version: '0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

/** Until the lab's log has `line` (stderr arrives through a pipe, after the response it belongs to). */
async function logged(lab: LabProcess, line: string): Promise<boolean> {
  for (let i = 0; i < 50 && !lab.logs().includes(line); i++) await new Promise((r) => setTimeout(r, 100));
  return lab.logs().includes(line);
}

describe('the lab as Entra ID (--entra)', () => {
  let lab: LabProcess;
  let entra: NonNullable<LabProcess['entra']>;
  let route: LabRoute;
  let caPem: string;

  before(async () => {
    lab = await startLabProcess({ args: ['--entra', '--proxy-port', '0'] });
    entra = lab.entra!;
    caPem = await readFile(entra.caPath, 'utf8');
    route = entraLabRoute(entra, caPem);
  });
  after(async () => {
    await lab?.stop();
  });

  test('--json describes the Entra lab: issuer, authority, TLS port, proxy, CA, clients, users', () => {
    assert.equal(lab.issuer, `${AUTHORITY}/v2.0`);
    assert.equal(entra.issuer, `${AUTHORITY}/v2.0`);
    assert.equal(entra.authority, AUTHORITY);
    assert.equal(entra.tlsOrigin, `https://127.0.0.1:${entra.tlsPort}`);
    assert.match(entra.proxyUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(entra.clientIds.vscode, VSCODE_CLIENT_ID);
    assert.deepEqual(
      entra.users.map((u) => u.username),
      ['alice', 'bob'],
    );
  });

  test('discovery at Entra’s URL names Entra’s endpoints; JWKS at /discovery/v2.0/keys', async () => {
    const res = await route.fetch(`${AUTHORITY}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const meta = (await res.json()) as Record<string, unknown>;
    assert.equal(meta.issuer, `${AUTHORITY}/v2.0`);
    assert.equal(meta.authorization_endpoint, `${AUTHORITY}/oauth2/v2.0/authorize`);
    assert.equal(meta.token_endpoint, `${AUTHORITY}/oauth2/v2.0/token`);
    assert.equal(meta.device_authorization_endpoint, `${AUTHORITY}/oauth2/v2.0/devicecode`);
    assert.equal(meta.jwks_uri, `${AUTHORITY}/discovery/v2.0/keys`);
    assert.equal(meta.end_session_endpoint, `${AUTHORITY}/oauth2/v2.0/logout`);
    const logout = await route.fetch(meta.end_session_endpoint as string);
    assert.equal(logout.status, 200);
    // No session here, so oidc-provider confirms by itself (a form that posts on load).
    assert.match(
      await logout.text(),
      /action="https:\/\/login\.microsoftonline\.com\/[^"]+\/oauth2\/v2\.0\/logout\/confirm"/,
    );
    assert.ok((meta.response_modes_supported as string[]).includes('form_post'));
    assert.equal(meta.registration_endpoint, undefined, 'Entra has no dynamic client registration');
    // Entra's v2.0 field set (docs/entra-mode.md): no PKCE advertisement, Entra's three auth methods, none of
    // oidc-provider's extras — what a client reads here is what it reads at Entra.
    assert.equal(meta.code_challenge_methods_supported, undefined);
    assert.deepEqual(meta.token_endpoint_auth_methods_supported, [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ]);
    for (const absent of [
      'grant_types_supported',
      'revocation_endpoint',
      'authorization_response_iss_parameter_supported',
      'claims_parameter_supported',
      'request_parameter_supported',
    ])
      assert.equal(meta[absent], undefined, absent);
    const rfc8414 = await route.fetch(
      `https://login.microsoftonline.com/.well-known/oauth-authorization-server${new URL(AUTHORITY).pathname}/v2.0`,
    );
    assert.deepEqual(await rfc8414.json(), meta, 'the RFC 8414 URL serves the same document');
    const jwks = (await (await route.fetch(meta.jwks_uri as string)).json()) as { keys: unknown[] };
    assert.ok(jwks.keys.length >= 1);
    // MSAL and VS Code also use the tenant aliases in the path.
    const org = await route.fetch(
      'https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration',
    );
    assert.equal(((await org.json()) as { issuer: string }).issuer, `${AUTHORITY}/v2.0`);
  });

  test('msal-node (auth code + PKCE, form_post, select_account) signs in; the secure server accepts the token', async () => {
    const scope = `${lab.secure}/access_as_user`;
    const pca = new PublicClientApplication({
      auth: { clientId: VSCODE_CLIENT_ID, authority: AUTHORITY },
      system: { networkClient: networkClientVia(route) },
    });
    const { verifier, challenge } = pkcePair();
    const authUrl = await pca.getAuthCodeUrl({
      scopes: [scope],
      redirectUri: REDIRECT,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      prompt: 'select_account',
      responseMode: 'form_post',
      state: 'st-1',
    });
    assert.ok(authUrl.startsWith(`${AUTHORITY}/oauth2/v2.0/authorize?`), authUrl);
    const back = await driveLabLogin(authUrl, alice, route);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const code = back.searchParams.get('code');
    assert.ok(code, `no code in ${back.href}`);

    const result = await pca.acquireTokenByCode({
      code,
      scopes: [scope],
      redirectUri: REDIRECT,
      codeVerifier: verifier,
    });
    const id = result.idTokenClaims as Record<string, unknown>;
    assert.equal(id.oid, alice.oid);
    assert.equal(id.tid, LAB_TENANT_ID);
    assert.equal(id.preferred_username, alice.email);
    assert.equal(id.name, alice.name);
    assert.equal(id.ver, '2.0');
    assert.equal(id.iss, `${AUTHORITY}/v2.0`);
    assert.equal(id.aud, VSCODE_CLIENT_ID);
    assert.equal(
      result.account?.homeAccountId,
      `${alice.oid}.${LAB_TENANT_ID}`,
      'client_info → MSAL account id',
    );

    const at = decodeJwt(result.accessToken);
    assert.equal(at.iss, `${AUTHORITY}/v2.0`);
    assert.equal(at.aud, lab.clientId);
    assert.equal(at.scp, 'access_as_user');
    assert.equal(at.ver, '2.0');
    assert.deepEqual(await listTools(lab.secure, result.accessToken), [
      'get_secret_from_vault',
      'get_user_info',
      'whoami',
    ]);
  });

  test('msal-node device code flow as bob, approved on the lab’s page', async () => {
    const pca = new PublicClientApplication({
      auth: { clientId: VSCODE_CLIENT_ID, authority: AUTHORITY },
      system: { networkClient: networkClientVia(route) },
    });
    const result = await pca.acquireTokenByDeviceCode({
      scopes: [`${lab.secure}/access_as_user`],
      deviceCodeCallback: (r) => {
        const page = new URL(r.verificationUri);
        page.searchParams.set('user_code', r.userCode);
        void approveLabDeviceCode(page, bob, route);
      },
    });
    assert.equal(result?.idTokenClaims && (result.idTokenClaims as { oid?: string }).oid, bob.oid);
    assert.deepEqual(await listTools(lab.secure, result!.accessToken), [
      'get_secret_from_vault',
      'get_user_info',
      'whoami',
    ]);
  });

  test('VS Code’s protocol-handler request: vscode.dev redirect, form_post, select_account, offline_access', async () => {
    // What the microsoft provider sends from a remote extension host (shared note entra-in-vscode-offline.md).
    const { verifier, challenge } = pkcePair();
    const state =
      'http://127.0.0.1:8080/callback?vscode-reqid=1&vscode-scheme=code-oss&vscode-authority=vscode.microsoft-authentication';
    const scope = `${lab.secure}/access_as_user openid profile offline_access`;
    const url = new URL(`https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: VSCODE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: 'https://vscode.dev/redirect',
      response_mode: 'form_post',
      prompt: 'select_account',
      scope,
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      client_info: '1',
    }).toString();
    const back = await driveLabLogin(url, bob, route);
    assert.equal(back.origin + back.pathname, 'https://vscode.dev/redirect');
    assert.equal(back.searchParams.get('state'), state);
    const tokenRes = await route.fetch(`https://login.microsoftonline.com/organizations/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: VSCODE_CLIENT_ID,
        code: back.searchParams.get('code')!,
        redirect_uri: 'https://vscode.dev/redirect',
        code_verifier: verifier,
        scope,
        client_info: '1',
      }).toString(),
    });
    assert.equal(tokenRes.status, 200);
    const tokens = (await tokenRes.json()) as Record<string, string>;
    assert.ok(
      tokens.refresh_token,
      'offline_access gives a refresh token without prompt=consent, as on Entra',
    );
    assert.equal(tokens.ext_expires_in, tokens.expires_in);
    assert.deepEqual(JSON.parse(Buffer.from(tokens.client_info!, 'base64url').toString()), {
      uid: bob.oid,
      utid: LAB_TENANT_ID,
    });
    assert.equal(decodeJwt(tokens.access_token!).aud, lab.clientId);
    assert.equal(decodeJwt(tokens.id_token!).preferred_username, bob.email);
  });

  test('a separate secure server process reaches the issuer with HTTPS_PROXY + NODE_EXTRA_CA_CERTS alone', async () => {
    // Exactly a deployment behind a corporate TLS proxy: no lab-specific setting, only the proxy variables.
    const server = await startServerProcess(
      'src/servers/secure/main.ts',
      secureServerEnv({ issuer: entra.issuer }, lab.dataDir, {
        HTTPS_PROXY: entra.proxyUrl,
        NO_PROXY: '',
        NODE_EXTRA_CA_CERTS: entra.caPath,
      }),
    );
    try {
      const access_token = await signInThroughEntraLab(route, alice, `${lab.secure}/access_as_user`);
      assert.deepEqual(await listTools(server.url, access_token), [
        'get_secret_from_vault',
        'get_user_info',
        'whoami',
      ]);
    } finally {
      await server.stop();
    }
  });

  test('without the CA trust the secure server refuses to start, naming the issuer (no hang)', async () => {
    await assert.rejects(
      startServerProcess(
        'src/servers/secure/main.ts',
        secureServerEnv({ issuer: entra.issuer }, lab.dataDir, { HTTPS_PROXY: entra.proxyUrl, NO_PROXY: '' }),
      ),
      (err: Error) =>
        err.message.includes('exited with') &&
        err.message.includes(`Could not read the OpenID configuration of ${entra.issuer}`) &&
        /certificate/i.test(err.message) &&
        /NODE_EXTRA_CA_CERTS/.test(err.message),
    );
  });

  test('the secure server’s PRM names the Entra issuer and the server-URL scope', async () => {
    const prm = (await (
      await fetch(new URL('/.well-known/oauth-protected-resource/mcp', lab.secure))
    ).json()) as Record<string, unknown>;
    assert.deepEqual(prm.authorization_servers, [`${AUTHORITY}/v2.0`]);
    assert.deepEqual(prm.scopes_supported, [`${lab.secure}/access_as_user`]);
  });

  describe('Entra error format', () => {
    const token = (body: Record<string, string>) =>
      route.fetch(`${AUTHORITY}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    const assertEntraBody = (body: Record<string, unknown>, code: number, error: string) => {
      assert.equal(body.error, error);
      assert.deepEqual(body.error_codes, [code]);
      assert.match(
        String(body.error_description),
        new RegExp(
          `^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
        ),
      );
      assert.match(String(body.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      assert.match(String(body.trace_id), /^[0-9a-f-]{36}$/);
      assert.match(String(body.correlation_id), /^[0-9a-f-]{36}$/);
      assert.equal(body.error_uri, `https://login.microsoftonline.com/error?code=${code}`);
      assert.ok(String(body.error_description).includes(`Trace ID: ${String(body.trace_id)}`));
    };

    test('token endpoint: unknown client → 400 AADSTS700016 unauthorized_client', async () => {
      const res = await token({
        grant_type: 'authorization_code',
        client_id: 'not-an-app',
        code: 'x',
        redirect_uri: REDIRECT,
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as Record<string, unknown>;
      assertEntraBody(body, 700016, 'unauthorized_client');
      assert.match(String(body.error_description), /Application with identifier 'not-an-app' was not found/);
    });

    test('token endpoint: unknown code → 400 AADSTS70008 invalid_grant; client-request-id becomes the correlation id', async () => {
      const correlation = '0c0ffee0-1234-4abc-9def-0123456789ab';
      const res = await route.fetch(`${AUTHORITY}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-request-id': correlation },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: VSCODE_CLIENT_ID,
          code: 'no-such-code',
          redirect_uri: REDIRECT,
          code_verifier: 'a'.repeat(43),
        }).toString(),
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as Record<string, unknown>;
      assertEntraBody(body, 70008, 'invalid_grant');
      assert.equal(body.correlation_id, correlation);
    });

    test('token endpoint: missing parameter → AADSTS900144', async () => {
      const res = await token({ grant_type: 'authorization_code', client_id: VSCODE_CLIENT_ID });
      assert.equal(res.status, 400);
      const body = (await res.json()) as Record<string, unknown>;
      assertEntraBody(body, 900144, 'invalid_request');
    });

    test('token endpoint: wrong PKCE verifier → AADSTS501481', async () => {
      const scope = `${lab.secure}/access_as_user`;
      const { challenge } = pkcePair();
      const url = entraAuthorizeUrl(challenge, { scope: `openid ${scope}` });
      const code = (await driveLabLogin(url, alice, route)).searchParams.get('code')!;
      const res = await token({
        grant_type: 'authorization_code',
        client_id: VSCODE_CLIENT_ID,
        code,
        redirect_uri: REDIRECT,
        code_verifier: pkcePair().verifier,
      });
      assert.equal(res.status, 400);
      assertEntraBody((await res.json()) as Record<string, unknown>, 501481, 'invalid_grant');
    });

    test('token endpoint: a redirect_uri other than the authorization request’s → AADSTS50011', async () => {
      const { verifier, challenge } = pkcePair();
      const url = entraAuthorizeUrl(challenge, { scope: `openid ${lab.secure}/access_as_user` });
      const code = (await driveLabLogin(url, alice, route)).searchParams.get('code')!;
      const res = await token({
        grant_type: 'authorization_code',
        client_id: VSCODE_CLIENT_ID,
        code,
        redirect_uri: 'http://127.0.0.1:53682/other',
        code_verifier: verifier,
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as Record<string, unknown>;
      assertEntraBody(body, 50011, 'invalid_request');
    });

    const authorize = (params: Record<string, string>) => entraAuthorizeUrl(pkcePair().challenge, params);

    test('authorize: PKCE is still required although not advertised (no code_challenge, or plain)', async () => {
      for (const params of [
        { code_challenge: '', code_challenge_method: '' },
        { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
      ]) {
        const url = authorize({ scope: 'openid', state: 'pk' });
        for (const [k, v] of Object.entries(params))
          if (v) url.searchParams.set(k, v);
          else url.searchParams.delete(k);
        const res = await route.fetch(url, { redirect: 'manual' });
        const location = res.headers.get('location');
        assert.ok(location, `expected a redirect with an error, got ${res.status}`);
        const back = new URL(location, url);
        assert.equal(back.origin + back.pathname, REDIRECT);
        assert.equal(back.searchParams.get('code'), null, 'no code without S256 PKCE');
        assert.equal(back.searchParams.get('error'), 'invalid_request', JSON.stringify(params));
        assert.match(back.searchParams.get('error_description') ?? '', /PKCE|code_challenge/i);
      }
    });

    test('authorize: unknown client → error page with AADSTS700016, no redirect', async () => {
      const res = await route.fetch(
        authorize({ client_id: 'c1a55e55-0000-4000-8000-000000000000', scope: 'openid' }),
        { redirect: 'manual' },
      );
      assert.equal(res.status, 400);
      const page = await res.text();
      assert.match(
        page,
        /AADSTS700016: Application with identifier &#39;c1a55e55-0000-4000-8000-000000000000&#39;|AADSTS700016: Application with identifier 'c1a55e55/,
      );
      assert.match(page, /Trace ID: [0-9a-f-]{36}/);
    });

    test('authorize: redirect URI not registered → error page with AADSTS50011, no redirect', async () => {
      const res = await route.fetch(authorize({ redirect_uri: 'https://evil.example/cb', scope: 'openid' }), {
        redirect: 'manual',
      });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /AADSTS50011: The redirect URI/);
    });

    test('authorize: a scope for an identifier URI no app has → redirected with AADSTS500011', async () => {
      const back = await driveLabLogin(
        authorize({ scope: 'openid api://no-such-app/access_as_user', state: 's5' }),
        alice,
        route,
      );
      assert.equal(back.origin + back.pathname, REDIRECT);
      assert.equal(back.searchParams.get('state'), 's5');
      assert.equal(back.searchParams.get('error'), 'invalid_resource');
      assert.match(
        back.searchParams.get('error_description') ?? '',
        /^AADSTS500011: The resource principal named api:\/\/no-such-app was not found .+\r\nTrace ID: /,
      );
      assert.equal(back.searchParams.get('error_uri'), 'https://login.microsoftonline.com/error?code=500011');
    });

    test('authorize: no scope → AADSTS900144; a scope the API does not expose → AADSTS70011 (redirected)', async () => {
      const none = await driveLabLogin(authorize({ state: 's7' }), alice, route);
      assert.equal(none.searchParams.get('error'), 'invalid_request');
      assert.match(
        none.searchParams.get('error_description') ?? '',
        /^AADSTS900144: .*'scope'.*\r\nTrace ID: /,
      );
      const bad = await driveLabLogin(
        authorize({ scope: `openid api://${lab.clientId}/not_a_scope`, state: 's8' }),
        alice,
        route,
      );
      assert.equal(bad.searchParams.get('state'), 's8');
      assert.equal(bad.searchParams.get('error'), 'invalid_scope');
      assert.match(
        bad.searchParams.get('error_description') ?? '',
        /^AADSTS70011: .*not_a_scope is not valid/,
      );
    });

    test('authorize: VS Code is not pre-authorized for the other API → redirected with AADSTS65001 consent_required', async () => {
      const back = await driveLabLogin(
        authorize({
          scope: `openid ${LAB_OTHER_API_APP_ID_URI}/access_as_user`,
          state: 's6',
          response_mode: 'form_post',
        }),
        alice,
        route,
      );
      assert.equal(back.searchParams.get('state'), 's6');
      assert.equal(back.searchParams.get('error'), 'consent_required');
      assert.match(
        back.searchParams.get('error_description') ?? '',
        new RegExp(`^AADSTS65001: .*'${VSCODE_CLIENT_ID}'.*\\r\\nTrace ID: `),
      );
    });
  });

  describe('the lab proxy', () => {
    const proxyPort = () => Number(new URL(entra.proxyUrl).port);

    // 403 comes only from the proxy's refusal, which is decided before any lookup or connection; a
    // connection that was tried and failed answers 502. That nothing was opened is proved with a spy on
    // net.connect in test/unit/lab/lab-proxy.test.ts; here the lab's own log names the refusal.
    test('a name that does not resolve gets 403 from the refusal, not from a failed lookup', async () => {
      const r = await connectThrough(proxyPort(), 'no-such-host.invalid:443');
      assert.equal(r.status, 'HTTP/1.1 403 Forbidden');
      assert.ok(
        await logged(lab, 'proxy refused {"target":"no-such-host.invalid:443"}'),
        lab.logs().slice(-2000),
      );
    });

    test('a foreign address that would hang on connect gets 403 from the refusal', async () => {
      const r = await connectThrough(proxyPort(), '10.255.255.1:443');
      assert.equal(r.status, 'HTTP/1.1 403 Forbidden');
      assert.ok(await logged(lab, 'proxy refused {"target":"10.255.255.1:443"}'), lab.logs().slice(-2000));
      const other = await connectThrough(proxyPort(), 'login.microsoftonline.com:80');
      assert.equal(other.status, 'HTTP/1.1 403 Forbidden', 'only :443 of the Entra host is mapped');
    });

    test('plain http to a foreign host is refused; to loopback it passes through', async () => {
      const foreign = await rawProxyGet(proxyPort(), 'http://example.invalid/');
      assert.match(foreign, /^HTTP\/1\.1 403/);
      const local = await rawProxyGet(
        proxyPort(),
        new URL('/.well-known/oauth-protected-resource/mcp', lab.secure).href,
      );
      assert.match(local, /^HTTP\/1\.1 200/);
      assert.match(local, /authorization_servers/);
    });

    test('CONNECT to a loopback port passes through', async () => {
      const r = await connectThrough(proxyPort(), `127.0.0.1:${new URL(lab.secure).port}`);
      assert.equal(r.status, 'HTTP/1.1 200 Connection Established');
    });
  });

  test('the lab CA: private keys 0600, certificate for login.microsoftonline.com only', async () => {
    const dir = entra.caPath.replace(/\/ca\.crt$/, '');
    for (const key of ['ca.key', 'login.microsoftonline.com.key']) {
      assert.equal((await stat(`${dir}/${key}`)).mode & 0o777, 0o600, key);
    }
    const { X509Certificate } = await import('node:crypto');
    const leaf = new X509Certificate(await readFile(`${dir}/login.microsoftonline.com.crt`));
    assert.equal(leaf.subjectAltName, 'DNS:login.microsoftonline.com');
    assert.ok(leaf.checkIssued(new X509Certificate(caPem)));
  });
});

describe('the Entra lab in strict mode (--entra --strict)', () => {
  test('PRM with the workshop pair (api:// scope, resource = URL) → AADSTS9010010 before sign-in, with trace lines', async () => {
    const lab = await startLabProcess({
      strict: true,
      args: ['--entra', '--proxy-port', '0', '--prm-scope', `api://${LAB_API_CLIENT_ID}/access_as_user`],
    });
    try {
      const route = entraLabRoute(lab.entra!, await readFile(lab.entra!.caPath, 'utf8'));
      // What an MCP client does: resource and scope both from the PRM.
      const prm = (await (
        await fetch(new URL('/.well-known/oauth-protected-resource/mcp', lab.secure))
      ).json()) as { resource: string; scopes_supported: string[] };
      assert.deepEqual(prm.scopes_supported, [`api://${LAB_API_CLIENT_ID}/access_as_user`]);
      const url = entraAuthorizeUrl(pkcePair().challenge, {
        scope: `openid ${prm.scopes_supported[0]}`,
        resource: prm.resource,
      });
      const res = await route.fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 400);
      const page = await res.text();
      assert.match(page, /AADSTS9010010: The resource parameter provided in the request doesn&#39;t match/);
      assert.match(page, /Trace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /);
      // The matching pair (scope by the server URL, no resource) signs in.
      url.searchParams.delete('resource');
      url.searchParams.set('scope', `openid ${lab.secure}/access_as_user`);
      const back = await driveLabLogin(url, alice, route);
      assert.ok(back.searchParams.get('code'), back.href);
    } finally {
      await lab.stop();
    }
  });
});

describe('the Entra lab across restarts', () => {
  test('a restart on the same data folder reuses the CA and the leaf', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sherpa-entra-'));
    const first = await startLabProcess({ dataDir, args: ['--entra', '--proxy-port', '0'] });
    const ca1 = await readFile(first.entra!.caPath, 'utf8');
    const leaf1 = await readFile(
      first.entra!.caPath.replace(/ca\.crt$/, 'login.microsoftonline.com.crt'),
      'utf8',
    );
    await first.stop();
    const second = await startLabProcess({ dataDir, args: ['--entra', '--proxy-port', '0'] });
    try {
      assert.equal(await readFile(second.entra!.caPath, 'utf8'), ca1);
      assert.equal(
        await readFile(second.entra!.caPath.replace(/ca\.crt$/, 'login.microsoftonline.com.crt'), 'utf8'),
        leaf1,
      );
    } finally {
      await second.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

function rawProxyGet(proxyPort: number, absoluteUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, '127.0.0.1', () =>
      s.write(
        `GET ${absoluteUrl} HTTP/1.1\r\nHost: ${new URL(absoluteUrl).host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    let data = '';
    s.setTimeout(5_000, () => reject(new Error('no answer')));
    s.on('data', (d) => (data += d.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}
