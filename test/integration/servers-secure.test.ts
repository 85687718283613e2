import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import {
  LAB_API_CLIENT_ID,
  LAB_FOREIGN_TENANT_ID,
  LAB_OTHER_API_CLIENT_ID,
  LAB_TENANT_ID,
  LAB_USERS,
} from '../../src/servers/shared/lab-defaults';
import { callTool, postJsonRpc, rawRequest } from '../support/http-request';
import { startTestIssuer, type TestIssuer } from '../support/mint-token';
import { secureServerEnv, startServerProcess, type ServerProcess } from '../support/server-process';

const [alice, bob] = [LAB_USERS[0]!, LAB_USERS[1]!];
const WHOAMI = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

const secureEnv = (issuer: TestIssuer, dataDir: string) => secureServerEnv(issuer, dataDir);

function toolText(res: { json<T>(): T }): { isError?: boolean; text: string } {
  const body = res.json<{ result: { isError?: boolean; content: { text: string }[] } }>();
  return { isError: body.result.isError, text: body.result.content[0]!.text };
}

describe('secure MCP server (real process, stand-in issuer)', () => {
  let issuer: TestIssuer;
  let server: ServerProcess;
  let dataDir: string;
  let url: string;
  let prmUrl: string;
  let challengeTail: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sherpa-secure-'));
    issuer = await startTestIssuer();
    server = await startServerProcess('src/servers/secure/main.ts', secureEnv(issuer, dataDir));
    url = server.url;
    prmUrl = `${server.origin}/.well-known/oauth-protected-resource/mcp`;
    challengeTail = `scope="${url}/access_as_user", resource_metadata="${prmUrl}"`;
  });
  after(async () => {
    await server?.stop();
    await issuer?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves RFC 9728 metadata with the exact shape at the path-suffixed and root locations', async () => {
    const expected = {
      resource: url,
      authorization_servers: [issuer.issuer],
      scopes_supported: [`${url}/access_as_user`],
      bearer_methods_supported: ['header'],
      resource_name: 'Sherpa secure MCP server',
    };
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const res = await rawRequest(server.origin + path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.json(), expected, path);
    }
  });

  it('answers a request without credentials with a 401 challenge and no error code (RFC 6750 §3.1)', async () => {
    for (const headers of [{}, { Authorization: 'Basic YWxpY2U6cGFzcw==' }] as Record<string, string>[]) {
      const res = await rawRequest(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: '{}',
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], `Bearer realm="sherpa-secure-mcp", ${challengeTail}`);
    }
  });

  const invalid = (description: string) =>
    `Bearer realm="sherpa-secure-mcp", error="invalid_token", error_description="${description}", ${challengeTail}`;

  it('rejects each bad token with exactly 401 invalid_token and the right code', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { privateKey: attackerKey } = await generateKeyPair('RS256');
    const valid = await issuer.mint();
    const [h, p, s] = valid.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), oid: bob.oid }),
    ).toString('base64url');
    const cases: [string, string, string, string][] = [
      ['garbage', 'not-a-jwt', 'malformed_token', 'The token is malformed'],
      ['oversized (10 KB)', 'a'.repeat(10 * 1024), 'token_too_large', 'The token is too large'],
      [
        'expired',
        await issuer.mint({ exp: now - 3600, iat: now - 7200, nbf: now - 7200 }),
        'token_expired',
        'The token has expired',
      ],
      [
        'nbf in the future',
        await issuer.mint({ nbf: now + 600 }),
        'token_not_yet_valid',
        'The token is not yet valid',
      ],
      ['no exp', await issuer.mint({ exp: undefined }), 'missing_claim', 'The token lacks a required claim'],
      [
        'wrong iss',
        await issuer.mint({ iss: 'https://login.microsoftonline.com/other/v2.0' }),
        'wrong_issuer',
        'The token was issued by an untrusted issuer',
      ],
      [
        'wrong aud',
        await issuer.mint({ aud: LAB_OTHER_API_CLIENT_ID }),
        'wrong_audience',
        'The token was issued for another resource',
      ],
      [
        'alg none',
        new UnsecuredJWT({ iss: issuer.issuer, aud: LAB_API_CLIENT_ID, exp: now + 600 }).encode(),
        'algorithm_not_allowed',
        'The token signing algorithm is not allowed',
      ],
      [
        'HS256 keyed with the public key',
        await new SignJWT({
          iss: issuer.issuer,
          aud: LAB_API_CLIENT_ID,
          exp: now + 600,
          iat: now,
          tid: LAB_TENANT_ID,
          scp: 'access_as_user',
        })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.kid })
          .sign(new TextEncoder().encode(issuer.publicKeyPem)),
        'algorithm_not_allowed',
        'The token signing algorithm is not allowed',
      ],
      [
        'tampered payload',
        `${h}.${tamperedPayload}.${s}`,
        'invalid_signature',
        'The token signature is invalid',
      ],
      [
        'attacker key reusing the kid',
        await issuer.mint({}, { key: attackerKey }),
        'invalid_signature',
        'The token signature is invalid',
      ],
      [
        'wrong tenant',
        await issuer.mint({ tid: LAB_FOREIGN_TENANT_ID }),
        'wrong_tenant',
        'The token was issued in a tenant that is not allowed',
      ],
    ];
    for (const [name, token, code, description] of cases) {
      const res = await postJsonRpc(url, WHOAMI, token);
      assert.equal(res.status, 401, name);
      assert.equal(res.headers['www-authenticate'], invalid(description), name);
      assert.equal(res.json<{ code: string }>().code, code, name);
    }
  });

  it('answers a token without the scope with 403 insufficient_scope', async () => {
    const res = await postJsonRpc(url, WHOAMI, await issuer.mint({ scp: 'User.Read' }));
    assert.equal(res.status, 403);
    assert.equal(
      res.headers['www-authenticate'],
      `Bearer realm="sherpa-secure-mcp", error="insufficient_scope", error_description="The token lacks the required scope", ${challengeTail}`,
    );
  });

  it('lets node answer a >16 KB header with 431 and stays healthy', async () => {
    const res = await postJsonRpc(url, WHOAMI, 'a'.repeat(20 * 1024));
    assert.equal(res.status, 431);
    const ok = await postJsonRpc(url, WHOAMI, await issuer.mint());
    assert.equal(ok.status, 200);
  });

  it('refetches the JWKS at most once for a burst of 20 unknown-kid tokens', async () => {
    await postJsonRpc(url, WHOAMI, await issuer.mint()); // keys loaded
    const before = issuer.jwksFetches();
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, i) => issuer.mint({}, { kid: `unknown-${i}` })),
    );
    const results = await Promise.all(forged.map((t) => postJsonRpc(url, WHOAMI, t)));
    for (const r of results) {
      assert.equal(r.status, 401);
      assert.equal(r.json<{ code: string }>().code, 'unknown_signing_key');
    }
    assert.ok(issuer.jwksFetches() - before <= 1, `JWKS fetched ${issuer.jwksFetches() - before} times`);
  });

  it('judges every request on one keep-alive connection by its own token', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const call = (token: string) =>
      new Promise<{ status: number; text: string; port: number }>((resolve, reject) => {
        const req = http.request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              'Content-Type': 'application/json',
              Accept: 'application/json, text/event-stream',
              Authorization: `Bearer ${token}`,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, text, port: res.socket?.localPort ?? 0 }),
            );
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(WHOAMI));
      });
    try {
      const asAlice = await issuer.mint();
      const expired = await issuer.mint({ exp: Math.floor(Date.now() / 1000) - 3600 });
      const asBob = await issuer.mint({}, { user: 'bob' });
      const first = await call(asAlice);
      assert.equal(first.status, 200);
      assert.match(first.text, new RegExp(alice.oid));
      const again = await call(asAlice);
      assert.equal(again.status, 200);
      const rejected = await call(expired);
      assert.equal(rejected.status, 401, 'a bad token after a good one on the same connection');
      assert.match(rejected.text, /token_expired/);
      const forged = await call(asAlice.slice(0, -4) + (asAlice.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
      assert.equal(forged.status, 401);
      const second = await call(asBob);
      assert.equal(second.status, 200);
      assert.match(second.text, new RegExp(bob.oid));
      assert.doesNotMatch(second.text, new RegExp(alice.oid));
      assert.equal(
        new Set([first, again, rejected, second].map((r) => r.port)).size,
        1,
        'all on one connection',
      );
    } finally {
      agent.destroy();
    }
  });

  it('whoami returns the validated identity and never the token', async () => {
    const token = await issuer.mint();
    const res = await callTool(url, token, 'whoami');
    assert.equal(res.status, 200);
    const { text } = toolText(res);
    const me = JSON.parse(text) as Record<string, unknown>;
    assert.equal(me.oid, alice.oid);
    assert.equal(me.user_id, 'user_001', "the caller's own directory id, for get_user_info");
    assert.equal(me.tid, LAB_TENANT_ID);
    assert.equal(me.preferred_username, alice.email);
    assert.equal(me.scp, 'access_as_user');
    assert.deepEqual(me.roles, ['Sherpa.Admin']);
    assert.ok(!res.text.includes(token.split('.')[2]!), 'the token signature must not appear');
  });

  it('get_user_info: own record yes, others denied, admin reads anyone', async () => {
    const bobToken = await issuer.mint({}, { user: 'bob' });
    const aliceToken = await issuer.mint({}, { user: 'alice' });
    const own = toolText(await callTool(url, bobToken, 'get_user_info', { user_id: 'user_002' }));
    assert.equal(own.isError, undefined);
    assert.equal(JSON.parse(own.text).oid, bob.oid);
    for (const id of ['user_001', 'user_003', 'user_999']) {
      const denied = toolText(await callTool(url, bobToken, 'get_user_info', { user_id: id }));
      assert.equal(denied.isError, true, id);
      assert.match(denied.text, /Access denied/, id);
    }
    const admin = toolText(await callTool(url, aliceToken, 'get_user_info', { user_id: 'user_002' }));
    assert.equal(JSON.parse(admin.text).email, bob.email);
    const missing = toolText(await callTool(url, aliceToken, 'get_user_info', { user_id: 'user_999' }));
    assert.equal(missing.isError, true);
    assert.match(missing.text, /No user/);
  });

  it('get_secret_from_vault returns metadata and a fingerprint, never the value; file is 0600', async () => {
    const token = await issuer.mint({}, { user: 'bob' });
    const res = await callTool(url, token, 'get_secret_from_vault', { name: 'demo-api-key' });
    const { isError, text } = toolText(res);
    assert.equal(isError, undefined);
    const meta = JSON.parse(text) as Record<string, unknown>;
    const file = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8'));
    const value = file.secrets['demo-api-key'].value as string;
    assert.ok(!res.text.includes(value), 'secret value leaked');
    assert.equal(meta.fingerprint, createHash('sha256').update(value).digest('hex').slice(0, 8));
    assert.equal(meta.valueLength, value.length);
    assert.equal(meta.source, 'local-file');
    assert.equal(meta.enabled, true);
    assert.equal((await stat(join(dataDir, 'secrets.json'))).mode & 0o777, 0o600);
    const unknown = toolText(await callTool(url, token, 'get_secret_from_vault', { name: 'nope' }));
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /secret_not_found/);
    const bad = toolText(await callTool(url, token, 'get_secret_from_vault', { name: '../etc/passwd' }));
    assert.equal(bad.isError, true);
    assert.match(bad.text, /invalid_secret_name/);
  });

  it('rejects foreign Host and Origin headers (DNS rebinding), on /mcp and on the metadata', async () => {
    const token = await issuer.mint();
    const evilHost = await postJsonRpc(url, WHOAMI, token, { Host: 'evil.example.com' });
    assert.equal(evilHost.status, 403);
    const evilOrigin = await postJsonRpc(url, WHOAMI, token, { Origin: 'http://evil.example.com' });
    assert.equal(evilOrigin.status, 403);
    const prm = await rawRequest(prmUrl, { headers: { Host: 'evil.example.com' } });
    assert.equal(prm.status, 403);
    const localhost = await postJsonRpc(url, WHOAMI, token, {
      Host: new URL(url).host.replace('127.0.0.1', 'localhost'),
    });
    assert.equal(localhost.status, 200);
  });

  it('keeps concurrent callers apart even when they all use JSON-RPC id 1', async () => {
    const tokens = {
      alice: await issuer.mint({}, { user: 'alice' }),
      bob: await issuer.mint({}, { user: 'bob' }),
    };
    const who = Array.from({ length: 50 }, (_, i): 'alice' | 'bob' => (i % 2 ? 'bob' : 'alice'));
    const results = await Promise.all(who.map((u) => postJsonRpc(url, WHOAMI, tokens[u])));
    results.forEach((res, i) => {
      assert.equal(res.status, 200);
      const body = res.json<{ id: number; result: { content: { text: string }[] } }>();
      assert.equal(body.id, 1);
      assert.equal(JSON.parse(body.result.content[0]!.text).oid, who[i] === 'alice' ? alice.oid : bob.oid);
    });
  });

  it('speaks stateless Streamable HTTP: 405 for GET/DELETE, 406, 400 parse error, no batches, 202 for notifications', async () => {
    const token = await issuer.mint();
    const auth = { Authorization: `Bearer ${token}` };
    assert.equal((await rawRequest(url, { method: 'GET', headers: auth })).status, 405);
    assert.equal((await rawRequest(url, { method: 'DELETE', headers: auth })).status, 405);
    const noAccept = await rawRequest(url, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(WHOAMI),
    });
    assert.equal(noAccept.status, 406);
    const parse = await postJsonRpc(url, '{"jsonrpc":', token);
    assert.equal(parse.status, 400);
    assert.equal(parse.json<{ error: { code: number } }>().error.code, -32700);
    const batch = await postJsonRpc(url, [WHOAMI], token);
    assert.equal(batch.status, 400);
    assert.equal(batch.json<{ error: { code: number } }>().error.code, -32600);
    const badVersion = await postJsonRpc(url, WHOAMI, token, { 'MCP-Protocol-Version': '1999-01-01' });
    assert.equal(badVersion.status, 400);
    const note = await postJsonRpc(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, token);
    assert.equal(note.status, 202);
  });

  it('works with the MCP SDK client', async () => {
    const token = await issuer.mint({}, { user: 'bob' });
    const client = new Client({ name: 'sherpa-test', version: '0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    const tools = await client.listTools();
    assert.deepEqual(tools.tools.map((t) => t.name).sort(), [
      'get_secret_from_vault',
      'get_user_info',
      'whoami',
    ]);
    const res = (await client.callTool({ name: 'whoami', arguments: {} })) as { content: { text: string }[] };
    assert.equal(JSON.parse(res.content[0]!.text).oid, bob.oid);
    await client.close();
  });

  it('never wrote a token to its log', () => {
    const log = server.stderr();
    assert.match(log, /request rejected/);
    assert.doesNotMatch(log, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });
});

describe('secure MCP server JWKS loading', () => {
  it('answers 503 + Retry-After (not 401, not 500) while the JWKS cannot be fetched', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sherpa-secure-'));
    const issuer = await startTestIssuer();
    const env = {
      ...secureEnv(issuer, dataDir),
      SHERPA_JWKS_URI: issuer.jwksUri.replace('/keys', '/missing-keys'),
    };
    const server = await startServerProcess('src/servers/secure/main.ts', env);
    try {
      const res = await postJsonRpc(server.url, WHOAMI, await issuer.mint());
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '5');
      assert.equal(res.json<{ code: string }>().code, 'signing_keys_unavailable');
    } finally {
      await server.stop();
      await issuer.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('finds the JWKS through OpenID discovery when SHERPA_JWKS_URI is not set', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sherpa-secure-'));
    const issuer = await startTestIssuer();
    const env = secureEnv(issuer, dataDir);
    delete env.SHERPA_JWKS_URI;
    const server = await startServerProcess('src/servers/secure/main.ts', env);
    try {
      const res = await postJsonRpc(server.url, WHOAMI, await issuer.mint({}, { user: 'bob' }));
      assert.equal(res.status, 200);
      assert.match(res.text, new RegExp(bob.oid));
    } finally {
      await server.stop();
      await issuer.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('loads the JWKS at most once per cooldown for a first burst of 20 unknown-kid tokens', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sherpa-secure-'));
    const issuer = await startTestIssuer();
    const server = await startServerProcess('src/servers/secure/main.ts', secureEnv(issuer, dataDir));
    try {
      const forged = await Promise.all(
        Array.from({ length: 20 }, (_, i) => issuer.mint({}, { kid: `rotated-${i}` })),
      );
      const results = await Promise.all(forged.map((t) => postJsonRpc(server.url, WHOAMI, t)));
      assert.deepEqual(new Set(results.map((r) => r.status)), new Set([401]));
      // The first load, plus at most one refetch after the 2 s cooldown for the tokens that arrived after
      // that load (their kid could be a key published since: servers-key-rollover-faults.test.ts).
      assert.ok(issuer.jwksFetches() <= 2, `JWKS fetched ${issuer.jwksFetches()} times`);
    } finally {
      await server.stop();
      await issuer.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
