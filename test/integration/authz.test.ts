import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import {
  LAB_API_APP_ID_URI,
  LAB_API_CLIENT_ID,
  LAB_OTHER_API_APP_ID_URI,
  LAB_OTHER_API_CLIENT_ID,
  LAB_TENANT_ID,
  LAB_USERS,
} from '../../src/servers/shared/lab-defaults';
import { AZURE_CLIENT_ID, VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { rotateSigningKeys } from '../../src/servers/authz/index';
import { approveDeviceCode, driveLogin, type LabCredentials } from '../support/drive-login';
import { isSherpaError } from '../../src/core/errors';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const MCP_URL = 'http://127.0.0.1:7482/mcp';
const API_SCOPE = `${LAB_API_APP_ID_URI}/access_as_user`;
const [alice, bob] = LAB_USERS.map((u) => ({ username: u.username, password: u.password })) as [
  LabCredentials,
  LabCredentials,
];

interface AuthzProcess {
  issuer: string;
  origin: string;
  jwksUri: string;
  stop(): Promise<void>;
}

/** Starts src/servers/authz/main.ts as a real process and waits for its JSON line. */
async function startAuthzProcess(env: Record<string, string>): Promise<AuthzProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'src', 'servers', 'authz', 'main.ts')],
    { cwd: REPO_ROOT, env: { ...process.env, SHERPA_LOG_LEVEL: 'warn', ...env }, stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`authz exited (${code}): ${stderr}`)));
  });
  const info = JSON.parse(line) as Omit<AuthzProcess, 'stop'>;
  return {
    ...info,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function discover(issuer: string, clientId: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** A full authorization code + PKCE flow as a loopback native client, login form driven by fetch. */
async function runCodeFlow(
  config: oidc.Configuration,
  creds: LabCredentials,
  params: { scope: string; resource?: string; redirectUri?: string },
): Promise<oidc.TokenEndpointResponse> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const redirectUri = params.redirectUri ?? `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/`;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: params.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(params.resource ? { resource: params.resource } : {}),
  });
  if (!params.scope) url.searchParams.delete('scope');
  const callback = await driveLogin(url, creds);
  assert.ok(
    callback.href.startsWith(redirectUri),
    `redirected to the loopback redirect_uri: ${callback.href}`,
  );
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
}

function assertEntraShape(payload: JWTPayload, o: { issuer: string; clientId: string; oid: string }): void {
  assert.equal(payload.aud, LAB_API_CLIENT_ID);
  assert.equal(payload.iss, o.issuer);
  assert.equal(payload.scp, 'access_as_user');
  assert.equal(payload.tid, LAB_TENANT_ID);
  assert.equal(payload.oid, o.oid);
  assert.equal(payload.sub, o.oid);
  assert.equal(payload.azp, o.clientId);
  assert.equal(payload.ver, '2.0');
  assert.equal(payload.scope, undefined, 'permissions only in scp, as in Entra');
  assert.equal(payload.client_id, undefined, 'the client only in azp, as in Entra');
  assert.equal(typeof payload.nbf, 'number');
  assert.equal(payload.nbf, payload.iat);
  const lifetime = (payload.exp ?? 0) - (payload.iat ?? 0);
  assert.ok(Math.abs(lifetime - 3600) <= 5, `exp - iat ≈ 3600, got ${lifetime}`);
}

describe('authorization server (lenient lab mode)', () => {
  let dataDir: string;
  let server: AuthzProcess;
  let vscode: oidc.Configuration;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sherpa-authz-'));
    server = await startAuthzProcess({ PORT: '0', DATA_DIR: dataDir, API_IDENTIFIER_URIS: MCP_URL });
    vscode = await discover(server.issuer, VSCODE_CLIENT_ID);
  });
  after(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('serves OpenID discovery under the issuer and RFC 8414 metadata on the origin root', async () => {
    const issuerPath = new URL(server.issuer).pathname;
    assert.equal(issuerPath, `/${LAB_TENANT_ID}/v2.0`);
    const oidcDoc = (await (
      await fetch(`${server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    const res8414 = await fetch(`${server.origin}/.well-known/oauth-authorization-server${issuerPath}`);
    assert.equal(res8414.status, 200);
    const rfc8414 = (await res8414.json()) as Record<string, unknown>;
    for (const doc of [oidcDoc, rfc8414]) {
      assert.equal(doc.issuer, server.issuer);
      assert.ok((doc.code_challenge_methods_supported as string[]).includes('S256'));
      assert.equal(doc.jwks_uri, server.jwksUri);
      assert.ok(
        (doc.grant_types_supported as string[]).includes('urn:ietf:params:oauth:grant-type:device_code'),
      );
      assert.ok(doc.registration_endpoint, 'DCR is on in the lenient lab');
    }
    assert.deepEqual(rfc8414, oidcDoc);
    const jwks = (await (await fetch(server.jwksUri)).json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.d, undefined, 'no private parts published');
  });

  test('rejects a foreign Host header (DNS rebinding)', async () => {
    // fetch() may not set Host; node:http can, as a rebinding browser effectively does.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(server.jwksUri, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject).end();
    });
    assert.equal(status, 403);
  });

  test('code + PKCE as VS Code: alice gets an Entra-v2-shaped token, signed per the JWKS', async () => {
    const tokens = await runCodeFlow(vscode, alice, { scope: `openid profile offline_access ${API_SCOPE}` });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.id_token, 'ID token issued for openid');
    assert.ok(tokens.refresh_token, 'refresh token issued for offline_access');
    const header = decodeProtectedHeader(tokens.access_token);
    assert.equal(header.alg, 'RS256');
    assert.equal(typeof header.kid, 'string');
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(server.jwksUri)), {
      issuer: server.issuer,
      audience: LAB_API_CLIENT_ID,
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'nbf', 'iat'],
    });
    assertEntraShape(payload, { issuer: server.issuer, clientId: VSCODE_CLIENT_ID, oid: LAB_USERS[0]!.oid });
    assert.equal(payload.name, 'Alice Admin');
    assert.equal(payload.preferred_username, 'alice@sherpa-lab.test');
    assert.deepEqual(payload.roles, ['Sherpa.Admin']);
  });

  test('refresh token grant returns a new access token and a rotated refresh token', async () => {
    // Its own sign-in: this test must not depend on the one above having run (or run first).
    const signedIn = await runCodeFlow(vscode, alice, { scope: `openid offline_access ${API_SCOPE}` });
    const aliceRefreshToken = signedIn.refresh_token;
    assert.ok(aliceRefreshToken, 'refresh token issued for offline_access');
    const refreshed = await oidc.refreshTokenGrant(vscode, aliceRefreshToken);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, aliceRefreshToken, 'refresh token rotated');
    const payload = decodeJwt(refreshed.access_token);
    assertEntraShape(payload, { issuer: server.issuer, clientId: VSCODE_CLIENT_ID, oid: LAB_USERS[0]!.oid });
    await assert.rejects(oidc.refreshTokenGrant(vscode, aliceRefreshToken), (err: unknown) => {
      assert.equal((err as oidc.ResponseBodyError).error, 'invalid_grant', 'the old refresh token is spent');
      return true;
    });
  });

  test('bob gets no roles; resource=<MCP URL> with the api:// scope maps to the same API', async () => {
    const tokens = await runCodeFlow(vscode, bob, { scope: API_SCOPE, resource: MCP_URL });
    const payload = decodeJwt(tokens.access_token);
    assertEntraShape(payload, { issuer: server.issuer, clientId: VSCODE_CLIENT_ID, oid: LAB_USERS[1]!.oid });
    assert.equal(payload.roles, undefined);
  });

  test('no scope, resource = the API: its delegated scopes by default (RFC 6749 §3.3)', async () => {
    const tokens = await runCodeFlow(vscode, alice, { scope: '', resource: LAB_API_APP_ID_URI });
    const payload = decodeJwt(tokens.access_token);
    assert.equal(payload.aud, LAB_API_CLIENT_ID);
    assert.equal(payload.scp, 'access_as_user');
  });

  test('a token for the other API (confused deputy) has the other audience and no Sherpa roles', async () => {
    const tokens = await runCodeFlow(vscode, alice, { scope: `${LAB_OTHER_API_APP_ID_URI}/access_as_user` });
    const payload = decodeJwt(tokens.access_token);
    assert.equal(payload.aud, LAB_OTHER_API_CLIENT_ID);
    assert.equal(payload.scp, 'access_as_user');
    assert.equal(payload.roles, undefined);
  });

  test('wrong password: the form answers 400 with a clear error, no code', async () => {
    const config = await discover(server.issuer, VSCODE_CLIENT_ID);
    await assert.rejects(
      runCodeFlow(config, { username: 'alice', password: 'wrong' }, { scope: API_SCOPE }),
      (err: unknown) =>
        isSherpaError(err, 'INVALID_CREDENTIALS') && /rejected the password of alice/.test(err.message),
    );
  });

  test('device authorization grant as Azure CLI, approved on the device page', async () => {
    const azcli = await discover(server.issuer, AZURE_CLIENT_ID);
    const device = await oidc.initiateDeviceAuthorization(azcli, {
      scope: `openid offline_access ${API_SCOPE}`,
    });
    assert.ok(device.verification_uri_complete);
    const page = await approveDeviceCode(device.verification_uri_complete, bob);
    assert.match(page, /signed in/i);
    const tokens = await oidc.pollDeviceAuthorizationGrant(azcli, device);
    const payload = decodeJwt(tokens.access_token);
    assertEntraShape(payload, { issuer: server.issuer, clientId: AZURE_CLIENT_ID, oid: LAB_USERS[1]!.oid });
    assert.ok(tokens.refresh_token);
  });

  test('dynamic client registration: only the loopback redirect URIs of a mixed list are kept', async () => {
    // What VS Code's MCP client sends (RFC 7591): vscode.dev redirects plus loopback ones, device grant.
    const good = await fetch(`${server.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'dcr test',
        redirect_uris: [
          'https://insiders.vscode.dev/redirect',
          'https://vscode.dev/redirect',
          'http://127.0.0.1/',
          'http://127.0.0.1:53682/callback',
          'http://localhost:33418/',
        ],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      }),
    });
    assert.equal(good.status, 201);
    const client = (await good.json()) as {
      client_id: string;
      redirect_uris: string[];
      grant_types: string[];
    };
    assert.deepEqual(client.redirect_uris, [
      'http://127.0.0.1/',
      'http://127.0.0.1:53682/callback',
      'http://localhost:33418/',
    ]);
    assert.ok(client.grant_types.includes('urn:ietf:params:oauth:grant-type:device_code'));
    const config = await discover(server.issuer, client.client_id);
    const tokens = await runCodeFlow(config, alice, {
      scope: 'access_as_user',
      resource: MCP_URL,
      redirectUri: 'http://127.0.0.1:53682/callback',
    });
    const payload = decodeJwt(tokens.access_token);
    assert.equal(payload.aud, LAB_API_CLIENT_ID);
    assert.equal(payload.azp, client.client_id);
    assert.equal(payload.scp, 'access_as_user');

    // The dropped redirect URI is not registered: an authorization request naming it is refused.
    const dropped = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'https://vscode.dev/redirect',
      scope: API_SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const refused = await fetch(dropped, { redirect: 'manual' });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /invalid_redirect_uri/);

    // The registered public client may use the device grant (VS Code's fallback route).
    const device = await oidc.initiateDeviceAuthorization(config, { scope: API_SCOPE });
    assert.ok(device.verification_uri_complete);
    assert.match(await approveDeviceCode(device.verification_uri_complete, bob), /signed in/i);
    const deviceTokens = await oidc.pollDeviceAuthorizationGrant(config, device);
    assert.equal(decodeJwt(deviceTokens.access_token).azp, client.client_id);
  });

  test('dynamic client registration: no loopback redirect URI at all → invalid_redirect_uri', async () => {
    for (const redirectUris of [['https://evil.example/cb'], ['https://vscode.dev/redirect'], []]) {
      const bad = await fetch(`${server.issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: redirectUris, token_endpoint_auth_method: 'none' }),
      });
      assert.equal(bad.status, 400, JSON.stringify(redirectUris));
      assert.equal(((await bad.json()) as { error: string }).error, 'invalid_redirect_uri');
    }
  });

  test('lenient lab: a bare access_as_user scope without resource means the Sherpa API', async () => {
    const tokens = await runCodeFlow(vscode, bob, { scope: 'access_as_user' });
    assertEntraShape(decodeJwt(tokens.access_token), {
      issuer: server.issuer,
      clientId: VSCODE_CLIENT_ID,
      oid: LAB_USERS[1]!.oid,
    });
  });

  test('an unknown or expired interaction gets a 4xx page, never a 5xx', async () => {
    const issuerPath = new URL(server.issuer).pathname;
    const page = await fetch(`${server.origin}${issuerPath}/interaction/not-a-real-uid`);
    assert.equal(page.status, 400);
    assert.match(await page.text(), /Sign-in error/);
    const post = await fetch(`${server.origin}${issuerPath}/interaction/not-a-real-uid/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=alice-lab-password',
    });
    assert.equal(post.status, 400);
  });

  test('VS Code may only use loopback redirect URIs', async () => {
    const url = oidc.buildAuthorizationUrl(vscode, {
      redirect_uri: 'https://evil.example/',
      scope: API_SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /redirect_uri/);
  });
});

describe('authorization server (strict, Entra-exact)', () => {
  let dataDir: string;
  let server: AuthzProcess;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sherpa-authz-strict-'));
    server = await startAuthzProcess({
      PORT: '0',
      DATA_DIR: dataDir,
      STRICT: '1',
      API_IDENTIFIER_URIS: MCP_URL,
    });
  });
  after(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('resource that does not match the scope App ID URI fails with AADSTS9010010; DCR is off', async () => {
    const config = await discover(server.issuer, VSCODE_CLIENT_ID);
    assert.equal(config.serverMetadata().registration_endpoint, undefined);
    const registration = await fetch(`${server.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/'], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(registration.status, 404, 'no registration endpoint in strict mode');
    const redirectUri = 'http://127.0.0.1:51111/';
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: API_SCOPE,
      resource: MCP_URL,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    // Like Entra: refused at /authorize, before any sign-in page (what a pre-login probe can see).
    const page = await fetch(url, { redirect: 'manual' });
    assert.equal(page.status, 400);
    assert.match(await page.text(), /AADSTS9010010/);

    // The fix Entra accepts: ask for the scope under the identifier URI used as resource.
    const tokens = await runCodeFlow(config, alice, {
      scope: `${MCP_URL}/access_as_user`,
      resource: MCP_URL,
    });
    assert.equal(decodeJwt(tokens.access_token).aud, LAB_API_CLIENT_ID);
  });
});

describe('signing keys', () => {
  test('persist across a restart (mode 0600) and rotate with the old key kept for verification', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sherpa-authz-keys-'));
    try {
      let server = await startAuthzProcess({ PORT: '0', DATA_DIR: dataDir });
      const port = new URL(server.origin).port;
      const issuer = server.issuer;
      const first = await runCodeFlow(await discover(issuer, VSCODE_CLIENT_ID), alice, { scope: API_SCOPE });
      await server.stop();
      assert.equal((await stat(join(dataDir, 'jwks.json'))).mode & 0o777, 0o600);
      assert.equal((await stat(join(dataDir, 'cookie-keys.json'))).mode & 0o777, 0o600);

      const verifyOptions = { issuer, audience: LAB_API_CLIENT_ID, algorithms: ['RS256'] };
      server = await startAuthzProcess({ PORT: port, DATA_DIR: dataDir });
      assert.equal(server.issuer, issuer);
      await jwtVerify(first.access_token, createRemoteJWKSet(new URL(server.jwksUri)), verifyOptions);
      await server.stop();

      const { kid } = await rotateSigningKeys(dataDir);
      server = await startAuthzProcess({ PORT: port, DATA_DIR: dataDir });
      const jwks = createRemoteJWKSet(new URL(server.jwksUri));
      const second = await runCodeFlow(await discover(issuer, VSCODE_CLIENT_ID), bob, { scope: API_SCOPE });
      assert.equal(decodeProtectedHeader(second.access_token).kid, kid, 'new tokens use the new key');
      await jwtVerify(second.access_token, jwks, verifyOptions);
      await jwtVerify(first.access_token, jwks, verifyOptions);
      await server.stop();

      await rotateSigningKeys(dataDir);
      const stored = JSON.parse(await readFile(join(dataDir, 'jwks.json'), 'utf8')) as {
        keys: { kid: string }[];
      };
      assert.equal(stored.keys.length, 2, 'trimmed to the current and the previous key');
      assert.equal(stored.keys[1]?.kid, kid);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
