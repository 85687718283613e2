/**
 * Failures must say what went wrong and what to do: lab down, a PRM whose `resource` is another server
 * (RFC 9728 §3.3), an expired token in the Token view.
 */
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { generateKeyPair, SignJWT } from 'jose';
import type { ConnectOutcome } from '../../../src/extension/commands/connect-commands';
import type { CheckNode } from '../../../src/extension/views/check-node';
import type { SectionNode } from '../../../src/extension/views/section-node';
import { SECURE_SERVER_ID } from '../../../src/extension/connect/server-target';
import { getApi, setSetting } from './helpers';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

suite('Error paths', () => {
  teardown(async () => {
    await setSetting('secureServer.url', undefined);
  });

  test('lab down: a clear message with what to do', async () => {
    // A port that was just free and is closed again: nothing listens there.
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    await setSetting('secureServer.url', `http://127.0.0.1:${port}/mcp`);
    const outcome = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
    assert.equal(outcome.connection.status, 'failed');
    assert.equal(outcome.error?.code, 'SERVER_UNREACHABLE');
    // The sentence `sherpa connect` and `sherpa audit` print for the same failure (core/net/network-failure.ts);
    // only the next step is the editor's own.
    assert.equal(outcome.error?.message, `Nothing is accepting connections at 127.0.0.1:${port}.`);
    assert.match(
      outcome.error?.hint ?? '',
      /^Is the server running\? Start the local lab with "Sherpa Lab: Start Local Lab"/,
    );
    assert.doesNotMatch(outcome.error?.hint ?? '', /sherpa lab`/);
  });

  test('PRM resource mismatch is rejected', async () => {
    const server = createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      if (req.method === 'POST' && req.url === '/mcp') {
        res.writeHead(401, {
          'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`,
          'content-type': 'application/json',
        });
        res.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Unauthorized' }, id: null }),
        );
        return;
      }
      if (req.url?.startsWith('/.well-known/oauth-protected-resource')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            resource: 'https://attacker.example/mcp',
            authorization_servers: [`${origin}/tenant/v2.0`],
          }),
        );
        return;
      }
      res.writeHead(404).end();
    });
    const port = await listen(server);
    try {
      await setSetting('secureServer.url', `http://127.0.0.1:${port}/mcp`);
      const outcome = await vscode.commands.executeCommand<ConnectOutcome>('sherpa.connectSecure');
      assert.equal(outcome.error?.code, 'PRM_RESOURCE_MISMATCH');
      assert.match(outcome.error?.hint ?? '', /9728/);
    } finally {
      server.close();
    }
  });

  test('an expired token fails the expiry check and shows as expired', async () => {
    const api = await getApi();
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ scp: 'access_as_user', tid: 'tenant' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer('http://127.0.0.1:1/tenant/v2.0')
      .setAudience('api-client-id')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(privateKey);
    api.tokenState.set(SECURE_SERVER_ID, {
      accessToken: token,
      source: 'test',
      expectations: {
        audiences: ['api-client-id'],
        issuers: ['http://127.0.0.1:1/tenant/v2.0'],
        requiredScope: 'access_as_user',
      },
    });
    try {
      const checks = (api.tokenView.getChildren().find((n) => n.label === 'Checks') as SectionNode)
        .children as CheckNode[];
      const expiry = checks.find((c) => c.check.id === 'expiry')!;
      assert.equal(expiry.check.status, 'fail');
      assert.match(expiry.check.detail, /expired .*ago/);
      assert.equal((expiry.iconPath as vscode.ThemeIcon).id, 'error');
      assert.equal(checks.find((c) => c.check.id === 'audience')!.check.status, 'pass');
    } finally {
      api.tokenState.set(SECURE_SERVER_ID, undefined);
    }
  });
});
