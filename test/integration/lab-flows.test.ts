/**
 * Sign-in flows of src/core against the REAL lab: the device authorization grant (RFC 8628) approved on
 * the lab's device page, and step-up authorization (RFC 6750 §3.1 `insufficient_scope`, MCP authorization
 * 2025-11-25 "Scope challenge handling") with a real lab token that lacks `access_as_user`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { discoverAuthorizationServer } from '../../src/core/discovery/as-metadata';
import { publicClient } from '../../src/core/client/mcp-authorization';
import { connectServer } from '../../src/core/client/connect-server';
import type { TokenRequest } from '../../src/core/client/grant-strategy';
import type { ConnectStepEvent } from '../../src/core/client/steps';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { startDeviceCodeLogin } from '../../src/core/grants/device-code';
import { LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { connectMcp } from '../../src/core/mcp/mcp-connect';
import { AZURE_CLIENT_ID } from '../../src/core/well-known-ids';
import { approveDeviceCode } from '../support/drive-login';
import { postJsonRpc } from '../support/http-request';
import { startLabProcess, type LabProcess } from '../support/lab';
import { LAB_API_SCOPE, signInToLab } from '../support/lab-tokens';

const [alice, bob] = [LAB_USERS[0]!, LAB_USERS[1]!];
const WHOAMI = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

describe('sign-in flows against the real lab', () => {
  let lab: LabProcess;
  before(async () => {
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
  });

  it('device code grant (core/device-code.ts) as Azure CLI, approved on the lab device page', async () => {
    const { config } = await discoverAuthorizationServer(lab.issuer, { clientId: AZURE_CLIENT_ID });
    const login = await startDeviceCodeLogin({ config, scopes: ['openid', LAB_API_SCOPE] });
    assert.match(login.userCode, /\S/);
    assert.ok(login.verificationUriComplete, 'verification_uri_complete offered');
    assert.ok(login.verificationUriComplete.startsWith(lab.authorizationServer));
    const page = await approveDeviceCode(login.verificationUriComplete, {
      username: alice.username,
      password: alice.password,
    });
    assert.match(page, /signed in/i);
    const tokens = await login.tokens;
    const claims = decodeJwt(tokens.accessToken);
    assert.equal(claims.aud, lab.clientId);
    assert.equal(claims.scp, 'access_as_user');
    assert.equal(claims.azp, AZURE_CLIENT_ID);
    assert.equal(claims.oid, alice.oid);

    const session = await connectMcp(lab.secure, { accessToken: tokens.accessToken });
    try {
      const who = await session.callTool('whoami');
      const me = JSON.parse((who.content[0] as { text: string }).text) as Record<string, unknown>;
      assert.equal(me.oid, alice.oid);
      assert.equal(me.azp, AZURE_CLIENT_ID);
    } finally {
      await session.close();
    }
  });

  it('the lab issues an API token without access_as_user; the server answers 403 insufficient_scope', async () => {
    const narrow = await signInToLab(lab, { user: 'bob', scopes: ['openid'], resource: lab.secure });
    const claims = decodeJwt(narrow.accessToken);
    assert.equal(claims.aud, lab.clientId, 'right audience');
    assert.equal(claims.scp, '', 'no delegated scope');
    const res = await postJsonRpc(lab.secure, WHOAMI, narrow.accessToken);
    assert.equal(res.status, 403);
    const origin = new URL(lab.secure).origin;
    assert.equal(
      res.headers['www-authenticate'],
      `Bearer realm="sherpa-secure-mcp", error="insufficient_scope", error_description="The token lacks the required scope", scope="${lab.secure}/access_as_user", resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it('step-up: the engine (core/client) asks for the challenge scope after 403 insufficient_scope and succeeds', async () => {
    const requests: TokenRequest[] = [];
    const getToken = async (request: TokenRequest) => {
      requests.push(request);
      // The first token is deliberately narrow (only `openid`), as from a client that under-asked.
      const scopes = request.reason === 'initial' ? ['openid'] : request.scopes;
      return signInToLab(lab, { user: 'bob', scopes, resource: request.resource });
    };

    // The secure server enforces the scope on every request, initialize included: the narrow token is
    // refused at `initialize` with 403, the flow steps up once with the challenge's scope, then connects.
    const steps: ConnectStepEvent[] = [];
    const connected = await connectServer(lab.secure, {
      credentials: publicClient(VSCODE_CLIENT_ID),
      grant: { name: 'lab sign-in', grantTypes: ['authorization_code'], getToken },
      onStep: (e) => steps.push(e),
    });
    try {
      assert.deepEqual(
        steps.map((s) => `${s.step}:${s.status}`),
        [
          'probe:ok',
          'prm:ok',
          'as-metadata:ok',
          'registration:ok',
          'token:ok',
          'step-up:ok',
          'initialize:ok',
          'tools:ok',
        ],
      );
      assert.deepEqual(
        requests.map((r) => r.reason),
        ['initial', 'step-up'],
      );
      assert.ok(
        requests[1]!.scopes.includes(`${lab.secure}/access_as_user`),
        `step-up asks for the challenge scope: ${requests[1]!.scopes.join(' ')}`,
      );
      assert.equal(decodeJwt(connected.tokens.accessToken).scp, 'access_as_user');
      const denied = await connected.callTool('get_user_info', { user_id: 'user_001' });
      assert.equal(denied.isError, true, 'bob still may not read alice');
      const who = await connected.callTool('whoami');
      const me = JSON.parse((who.content[0] as { text: string }).text) as Record<string, unknown>;
      assert.equal(me.oid, bob.oid);
      assert.equal(me.scp, 'access_as_user');
    } finally {
      await connected.close();
    }
  });
});
