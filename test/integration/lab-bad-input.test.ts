/**
 * The secure MCP server as the REAL lab runs it (`sherpa lab`, its own authorization server and keys):
 * every bad input answered with exactly the right status and RFC 6750 §3 challenge, never a 5xx, and the
 * server still healthy afterwards. The good token comes from the lab's real code + PKCE sign-in; the bad
 * ones are derived from its claims, re-signed with the lab's own key where the signature must be valid.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, generateKeyPair, UnsecuredJWT } from 'jose';
import {
  LAB_FOREIGN_TENANT_ID,
  LAB_OTHER_API_CLIENT_ID,
  LAB_USERS,
} from '../../src/servers/shared/lab-defaults';
import { findBearerChallenge } from '../../src/core/discovery/www-authenticate';
import { callTool, postJsonRpc, rawRequest, type RawResponse } from '../support/http-request';
import { startLabProcess, type LabProcess } from '../support/lab';
import { readLabSigningKey, resignLabToken, signInToLab, type LabSigningKey } from '../support/lab-tokens';

const [alice, bob] = [LAB_USERS[0]!, LAB_USERS[1]!];
const WHOAMI = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

interface BadCase {
  name: string;
  /** The Authorization header to send (undefined: none). */
  authorization: () => Promise<string | undefined>;
  status: number;
  /** RFC 6750 error attribute; null = a challenge without `error`; 'none' = no challenge at all (431). */
  error: string | null | 'none';
  description?: string;
}

function toolText(res: RawResponse): { isError?: boolean; text: string } {
  const body = res.json<{ result: { isError?: boolean; content: { text: string }[] } }>();
  return { isError: body.result.isError, text: body.result.content[0]!.text };
}

describe('secure MCP server in the real lab: bad-input matrix', () => {
  let lab: LabProcess;
  let origin: string;
  let challengeTail: string;
  let aliceToken: string;
  let bobToken: string;
  let labKey: LabSigningKey;
  const observed: { name: string; status: number; error: string }[] = [];

  before(async () => {
    lab = await startLabProcess();
    origin = new URL(lab.secure).origin;
    challengeTail = `scope="${lab.secure}/access_as_user", resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`;
    aliceToken = (await signInToLab(lab, { user: 'alice' })).accessToken;
    bobToken = (await signInToLab(lab, { user: 'bob' })).accessToken;
    labKey = await readLabSigningKey(lab.dataDir);
  });
  after(async () => {
    await lab?.stop();
  });

  it('signs in through the lab and gets an Entra-v2-shaped token the server accepts', async () => {
    const claims = decodeJwt(aliceToken);
    assert.equal(claims.iss, lab.issuer);
    assert.equal(claims.aud, lab.clientId);
    assert.equal(claims.scp, 'access_as_user');
    assert.equal(claims.oid, alice.oid);
    const res = await postJsonRpc(lab.secure, WHOAMI, aliceToken);
    assert.equal(res.status, 200);
  });

  it('serves RFC 9728 metadata with the exact shape at the path-suffixed and root well-known paths', async () => {
    const expected = {
      resource: lab.secure,
      authorization_servers: [lab.issuer],
      scopes_supported: [`${lab.secure}/access_as_user`],
      bearer_methods_supported: ['header'],
      resource_name: 'Sherpa secure MCP server',
    };
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const res = await rawRequest(origin + path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.json(), expected, path);
    }
  });

  it('answers an unauthenticated request with the exact 401 challenge', async () => {
    const res = await postJsonRpc(lab.secure, WHOAMI);
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], `Bearer realm="sherpa-secure-mcp", ${challengeTail}`);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const bearer = (t: string) => `Bearer ${t}`;
  const resign = async (changes: Record<string, unknown>) =>
    bearer(await resignLabToken(aliceToken, changes, { key: labKey.privateKey }));
  const cases: BadCase[] = [
    { name: 'no Authorization header', authorization: async () => undefined, status: 401, error: null },
    {
      name: 'wrong scheme (Basic)',
      authorization: async () => 'Basic YWxpY2U6YWxpY2UtbGFiLXBhc3N3b3Jk',
      status: 401,
      error: null,
    },
    {
      name: 'garbage',
      authorization: async () => 'Bearer not-a-jwt',
      status: 401,
      error: 'invalid_token',
      description: 'The token is malformed',
    },
    {
      name: 'oversized token (10 KB)',
      authorization: async () => bearer('a'.repeat(10 * 1024)),
      status: 401,
      error: 'invalid_token',
      description: 'The token is too large',
    },
    {
      name: 'oversized header (20 KB)',
      authorization: async () => bearer('a'.repeat(20 * 1024)),
      status: 431, // node's own limit (16 KB of headers), before our code runs
      error: 'none',
    },
    {
      name: 'expired (lab key)',
      authorization: () => resign({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }),
      status: 401,
      error: 'invalid_token',
      description: 'The token has expired',
    },
    // Issue 16: jose alone accepts both; a cached forgery with exp = 1e308 would be honoured forever.
    {
      name: 'exp = 1e308 (lab key)',
      authorization: () => resign({ exp: 1e308 }),
      status: 401,
      error: 'invalid_token',
      description: 'The token expires implausibly far in the future',
    },
    {
      name: 'exp 48 h ahead (lab key)',
      authorization: () => resign({ exp: now() + 48 * 3600 }),
      status: 401,
      error: 'invalid_token',
      description: 'The token expires implausibly far in the future',
    },
    {
      name: 'iat 1 h in the future (lab key)',
      authorization: () => resign({ iat: now() + 3600 }),
      status: 401,
      error: 'invalid_token',
      description: 'The token was issued in the future',
    },
    {
      name: 'nbf in the future (lab key)',
      authorization: () => resign({ nbf: now() + 600 }),
      status: 401,
      error: 'invalid_token',
      description: 'The token is not yet valid',
    },
    {
      name: 'no exp (lab key)',
      authorization: () => resign({ exp: undefined }),
      status: 401,
      error: 'invalid_token',
      description: 'The token lacks a required claim',
    },
    {
      name: 'wrong iss (lab key)',
      authorization: () => resign({ iss: 'https://login.microsoftonline.com/common/v2.0' }),
      status: 401,
      error: 'invalid_token',
      description: 'The token was issued by an untrusted issuer',
    },
    {
      name: 'wrong aud (lab key)',
      authorization: () => resign({ aud: LAB_OTHER_API_CLIENT_ID }),
      status: 401,
      error: 'invalid_token',
      description: 'The token was issued for another resource',
    },
    {
      name: 'alg none',
      authorization: async () => bearer(new UnsecuredJWT(decodeJwt(aliceToken)).encode()),
      status: 401,
      error: 'invalid_token',
      description: 'The token signing algorithm is not allowed',
    },
    {
      name: 'HS256 keyed with the public key',
      authorization: async () =>
        bearer(
          await resignLabToken(
            aliceToken,
            {},
            { key: new TextEncoder().encode(labKey.publicKeyPem), alg: 'HS256' },
          ),
        ),
      status: 401,
      error: 'invalid_token',
      description: 'The token signing algorithm is not allowed',
    },
    {
      name: 'tampered payload (real token)',
      authorization: async () => {
        const [h, p, s] = aliceToken.split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
        const flipped = Buffer.from(JSON.stringify({ ...claims, oid: bob.oid })).toString('base64url');
        return bearer(`${h}.${flipped}.${s}`);
      },
      status: 401,
      error: 'invalid_token',
      description: 'The token signature is invalid',
    },
    {
      name: 'attacker key reusing the real kid',
      authorization: async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return bearer(await resignLabToken(aliceToken, {}, { key: privateKey, kid: labKey.kid }));
      },
      status: 401,
      error: 'invalid_token',
      description: 'The token signature is invalid',
    },
    {
      name: 'unknown kid',
      authorization: async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return bearer(await resignLabToken(aliceToken, {}, { key: privateKey, kid: 'not-a-lab-key' }));
      },
      status: 401,
      error: 'invalid_token',
      description: 'The token was signed by an unknown key',
    },
    {
      name: 'missing scope (lab key)',
      authorization: () => resign({ scp: 'User.Read' }),
      status: 403,
      error: 'insufficient_scope',
      description: 'The token lacks the required scope',
    },
    {
      name: 'wrong tenant (lab key)',
      authorization: () => resign({ tid: LAB_FOREIGN_TENANT_ID }),
      status: 401,
      error: 'invalid_token',
      description: 'The token was issued in a tenant that is not allowed',
    },
  ];

  for (const c of cases) {
    const label = c.error === 'none' ? '(no challenge)' : (c.error ?? '(no error)');
    it(`${c.name} → ${c.status} ${label}`, async () => {
      const authorization = await c.authorization();
      const res = await postJsonRpc(
        lab.secure,
        WHOAMI,
        undefined,
        authorization === undefined ? {} : { Authorization: authorization },
      );
      const header = res.headers['www-authenticate'];
      observed.push({
        name: c.name,
        status: res.status,
        error: header === undefined ? '-' : (findBearerChallenge(header)?.error ?? '(none)'),
      });
      assert.ok(res.status < 500, `never 5xx (got ${res.status})`);
      assert.equal(res.status, c.status);
      if (c.error === 'none') {
        assert.equal(header, undefined);
        return;
      }
      const expected =
        c.error === null
          ? `Bearer realm="sherpa-secure-mcp", ${challengeTail}`
          : `Bearer realm="sherpa-secure-mcp", error="${c.error}", error_description="${c.description}", ${challengeTail}`;
      assert.equal(header, expected);
    });
  }

  it('is still healthy after the matrix: a real token still works; prints the table', async (t) => {
    const res = await postJsonRpc(lab.secure, WHOAMI, bobToken);
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(toolText(res).text).oid, bob.oid);
    assert.equal(observed.length, cases.length, 'every case ran');
    const width = Math.max(...observed.map((o) => o.name.length));
    t.diagnostic('bad input (real lab) → status  WWW-Authenticate error');
    for (const o of observed) t.diagnostic(`${o.name.padEnd(width)} → ${o.status}  ${o.error}`);
  });

  it('issue 16: plausible times inside the allowances still pass (exp 2 h ahead, iat 30 s ahead)', async () => {
    for (const changes of [{ exp: now() + 2 * 3600 }, { iat: now() + 30 }]) {
      const res = await postJsonRpc(lab.secure, WHOAMI, undefined, { Authorization: await resign(changes) });
      assert.equal(res.status, 200, JSON.stringify(changes));
    }
  });

  it('lists the three tools and enforces per-user access with real lab tokens', async () => {
    const list = await postJsonRpc(lab.secure, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, bobToken);
    assert.equal(list.status, 200);
    const names = list
      .json<{ result: { tools: { name: string }[] } }>()
      .result.tools.map((x) => x.name)
      .sort();
    assert.deepEqual(names, ['get_secret_from_vault', 'get_user_info', 'whoami']);

    const own = toolText(await callTool(lab.secure, bobToken, 'get_user_info', { user_id: 'user_002' }));
    assert.equal(own.isError, undefined);
    assert.equal(JSON.parse(own.text).oid, bob.oid);
    const denied = toolText(await callTool(lab.secure, bobToken, 'get_user_info', { user_id: 'user_001' }));
    assert.equal(denied.isError, true);
    assert.match(denied.text, /Access denied/);
    assert.doesNotMatch(denied.text, new RegExp(alice.email));
    const admin = toolText(await callTool(lab.secure, aliceToken, 'get_user_info', { user_id: 'user_002' }));
    assert.equal(admin.isError, undefined);
    assert.equal(JSON.parse(admin.text).email, bob.email);
  });

  it('get_secret_from_vault returns metadata with a fingerprint, never the value', async () => {
    const res = await callTool(lab.secure, bobToken, 'get_secret_from_vault', { name: 'demo-api-key' });
    const { isError, text } = toolText(res);
    assert.equal(isError, undefined);
    const meta = JSON.parse(text) as Record<string, unknown>;
    const file = JSON.parse(await readFile(join(lab.dataDir, 'secrets.json'), 'utf8')) as {
      secrets: Record<string, { value: string }>;
    };
    const value = file.secrets['demo-api-key']!.value;
    assert.ok(value.length > 0);
    assert.ok(!res.text.includes(value), 'the secret value must not be in the response');
    assert.equal(meta.fingerprint, createHash('sha256').update(value).digest('hex').slice(0, 8));
    assert.equal(meta.valueLength, value.length);
  });

  it('never wrote a token to the lab log', () => {
    const log = lab.logs();
    assert.doesNotMatch(log, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    assert.ok(!log.includes(aliceToken.split('.')[2]!));
  });
});
