/**
 * Issue 16, the lab authorization server against a real `sherpa lab` process: a self-registered client
 * cannot show a first-party name on the device page, every client must use PKCE (a client secret does not
 * exempt it), a confidential registration says when it ends, and no sign-in page may be framed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LAB_API_APP_ID_URI, LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { escapeHtml } from '../../src/servers/authz/html-pages';
import { UNVERIFIED_NAME_PREFIX } from '../../src/servers/authz/lab-clients';
import { approveDeviceCode } from '../support/drive-login';
import { startLabProcess, type LabProcess } from '../support/lab';

const API_SCOPE = `${LAB_API_APP_ID_URI}/access_as_user`;
const bob = { username: LAB_USERS[1]!.username, password: LAB_USERS[1]!.password };
const REDIRECT = 'http://127.0.0.1:53682/callback';

interface Registered {
  client_id: string;
  client_name?: string;
  client_secret?: string;
  client_id_issued_at: number;
  client_secret_expires_at?: number;
}

describe('issue 16: lab authorization server hardening (real lab)', () => {
  let lab: LabProcess;
  const register = async (metadata: Record<string, unknown>): Promise<Registered> => {
    const res = await fetch(`${lab.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [REDIRECT],
        application_type: 'native',
        response_types: ['code'],
        ...metadata,
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as Registered;
  };
  const authorizeUrl = (clientId: string, extra: Record<string, string> = {}) => {
    const url = new URL(`${lab.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: API_SCOPE,
      state: 's1',
      ...extra,
    })) {
      url.searchParams.set(k, v);
    }
    return url;
  };

  before(async () => {
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
  });

  test('DCR as "Visual Studio Code": kept only as an unverified name, and the device page says so', async () => {
    const client = await register({
      client_name: 'Visual Studio Code',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
    });
    const labelled = `${UNVERIFIED_NAME_PREFIX}"Visual Studio Code"`;
    assert.equal(client.client_name, labelled);

    const device = (await (
      await fetch(`${lab.issuer}/device/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: client.client_id, scope: `openid ${API_SCOPE}` }),
      })
    ).json()) as { verification_uri_complete: string };
    const page = await approveDeviceCode(device.verification_uri_complete, bob);
    assert.ok(page.includes(escapeHtml(labelled)), page);
    assert.ok(!page.includes('<strong>Visual Studio Code</strong>'), 'never the bare first-party name');

    // Look-alikes count too; an ordinary name is left as it is.
    for (const name of ['VS-Code', 'Мicrosoft Azure CLI', 'ＶＳＣｏｄｅ']) {
      const other = await register({ client_name: name, token_endpoint_auth_method: 'none' });
      assert.equal(other.client_name, `${UNVERIFIED_NAME_PREFIX}"${name}"`, name);
    }
    const plain = await register({ client_name: 'my mcp client', token_endpoint_auth_method: 'none' });
    assert.equal(plain.client_name, 'my mcp client');
  });

  test('a confidential client without PKCE is refused (invalid_request), as a public one is', async () => {
    const confidential = await register({
      client_name: 'confidential test client',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
    });
    assert.ok(confidential.client_secret);
    for (const clientId of [confidential.client_id, VSCODE_CLIENT_ID]) {
      const res = await fetch(authorizeUrl(clientId), { redirect: 'manual' });
      const location = new URL(res.headers.get('location') ?? '', lab.issuer);
      assert.equal(location.origin + location.pathname, REDIRECT, clientId);
      assert.equal(location.searchParams.get('error'), 'invalid_request', clientId);
      assert.match(location.searchParams.get('error_description') ?? '', /PKCE/, clientId);
    }
    // With a code challenge the same client reaches the sign-in page.
    const withPkce = await fetch(
      authorizeUrl(confidential.client_id, {
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }),
      { redirect: 'manual' },
    );
    assert.match(withPkce.headers.get('location') ?? '', /\/interaction\//);
  });

  test('a confidential registration states when it ends: client_secret_expires_at = issued + 24 h', async () => {
    const client = await register({
      client_name: 'expiring client',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
    });
    assert.equal(client.client_secret_expires_at, client.client_id_issued_at + 24 * 3600);
  });

  test('the sign-in and device pages refuse framing (CSP frame-ancestors, X-Frame-Options)', async () => {
    const start = await fetch(
      authorizeUrl(VSCODE_CLIENT_ID, {
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }),
      { redirect: 'manual' },
    );
    const interaction = new URL(start.headers.get('location') ?? '', lab.issuer);
    assert.match(interaction.pathname, /\/interaction\//);
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const login = await fetch(interaction, { headers: { cookie } });
    assert.equal(login.status, 200);
    assert.match(await login.text(), /password/i, 'the sign-in form itself');
    for (const res of [login, await fetch(`${lab.issuer}/device`)]) {
      assert.equal(res.headers.get('content-security-policy'), "frame-ancestors 'none'", res.url);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', res.url);
    }
  });
});
