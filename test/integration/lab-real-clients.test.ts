/**
 * A client nobody on the team wrote signs in to the real lab: the MCP TypeScript SDK's own OAuth client
 * (`StreamableHTTPClientTransport` + `authProvider`). The SDK does discovery (RFC 9728 PRM, RFC 8414),
 * dynamic client registration (RFC 7591), PKCE (RFC 7636) and the token request; the provider below only
 * stores what the SDK hands it and, where a browser would open, fills in the lab's sign-in form with fetch
 * and picks the code off the loopback redirect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';
import { LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { driveLogin } from '../support/drive-login';
import { startLabProcess, type LabProcess } from '../support/lab';
import { InMemoryOAuthStore } from '../support/interop/oauth-store';

/** In-memory OAuthClientProvider whose "browser" is the lab's sign-in form driven by fetch. */
class LabFormOAuthProvider
  extends InMemoryOAuthStore<OAuthClientInformationMixed, OAuthTokens>
  implements OAuthClientProvider
{
  /** The loopback redirect the lab sent the "browser" to (`?code=…&state=…&iss=…`). */
  callback?: URL;
  /** The authorization request the SDK built, for assertions. */
  authorizationUrl?: URL;

  constructor(
    redirectUrl: string,
    readonly user: { username: string; password: string },
  ) {
    super(redirectUrl, 'MCP SDK client (Sherpa lab test)');
  }
  async redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
    this.callback = await driveLogin(url, this.user);
  }
}

describe('real MCP clients against the real lab', () => {
  let lab: LabProcess;
  before(async () => {
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
  });

  it('MCP SDK client OAuth: DCR + PKCE + discovery by the SDK, then tools/list', async () => {
    const bob = LAB_USERS[1]!;
    const redirectUrl = 'http://127.0.0.1:53682/callback';
    const provider = new LabFormOAuthProvider(redirectUrl, {
      username: bob.username,
      password: bob.password,
    });

    // First attempt: 401 → the SDK discovers, registers, and "opens the browser" (our form driver).
    const first = new StreamableHTTPClientTransport(new URL(lab.secure), { authProvider: provider });
    const client1 = new Client({ name: 'sdk-oauth-test', version: '0' });
    await assert.rejects(client1.connect(first), UnauthorizedError);

    // Dynamic client registration happened: a fresh client id, not VS Code's pre-authorised one.
    const clientId = provider.client?.client_id;
    assert.ok(clientId, 'the SDK registered a client');
    assert.notEqual(clientId, VSCODE_CLIENT_ID);
    const authz = provider.authorizationUrl!;
    assert.equal(authz.searchParams.get('client_id'), clientId);
    assert.equal(authz.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authz.searchParams.get('resource'), lab.secure, 'RFC 8707 resource = PRM resource');
    assert.equal(authz.searchParams.get('scope'), `${lab.secure}/access_as_user`, 'scope from the challenge');

    // The lab redirected to the loopback URI with a code; the SDK redeems it.
    const callback = provider.callback!;
    assert.ok(callback.href.startsWith(redirectUrl), callback.href);
    const code = callback.searchParams.get('code');
    assert.ok(code, `redirect carries a code: ${callback.searchParams.get('error') ?? ''}`);
    assert.equal(callback.searchParams.get('iss'), lab.issuer, 'RFC 9207 iss in the response');
    await first.finishAuth(code);

    const claims = decodeJwt(provider.saved!.access_token);
    assert.equal(claims.aud, lab.clientId);
    assert.equal(claims.scp, 'access_as_user');
    assert.equal(claims.azp, clientId);
    assert.equal(claims.oid, bob.oid);
    assert.equal(claims.iss, lab.issuer);

    // Reconnect with the stored tokens: initialize + tools/list + a tool call succeed.
    const client2 = new Client({ name: 'sdk-oauth-test', version: '0' });
    await client2.connect(new StreamableHTTPClientTransport(new URL(lab.secure), { authProvider: provider }));
    try {
      const tools = await client2.listTools();
      assert.deepEqual(tools.tools.map((t) => t.name).sort(), [
        'get_secret_from_vault',
        'get_user_info',
        'whoami',
      ]);
      const who = (await client2.callTool({ name: 'whoami', arguments: {} })) as {
        content: { text: string }[];
      };
      const me = JSON.parse(who.content[0]!.text) as Record<string, unknown>;
      assert.equal(me.oid, bob.oid);
      assert.equal(me.azp, clientId);
    } finally {
      await client2.close();
      await client1.close().catch(() => undefined);
    }
  });
});
