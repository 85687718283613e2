import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateKeyPair } from 'jose';
import { LAB_OTHER_API_CLIENT_ID, LAB_STATIC_TOKEN } from '../../src/servers/shared/lab-defaults';
import { callTool, postJsonRpc, rawRequest } from '../support/http-request';
import { startTestIssuer, type TestIssuer } from '../support/mint-token';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const LIST = { jsonrpc: '2.0', id: 7, method: 'tools/list' };

describe('vulnerable MCP server (real process) — insecure by design', () => {
  let issuer: TestIssuer;
  let server: ServerProcess;
  let url: string;

  before(async () => {
    issuer = await startTestIssuer();
    server = await startServerProcess('src/servers/vulnerable/main.ts', {
      PORT: '0',
      REQUIRED_TOKEN: LAB_STATIC_TOKEN,
      TRUSTED_JWKS_URI: issuer.jwksUri,
    });
    url = server.url;
  });
  after(async () => {
    await server?.stop();
    await issuer?.close();
  });

  it('answers a missing header with 401 and a bare Bearer challenge', async () => {
    const res = await postJsonRpc(url, LIST);
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="sherpa-vulnerable-mcp"');
  });

  it('answers a wrong token, another scheme or an oversized token with 401 invalid_token', async () => {
    for (const authorization of [
      'Bearer wrong',
      'Basic Zm9vOmJhcg==',
      `Bearer ${'x'.repeat(12_000)}`,
      'Bearer',
    ]) {
      const res = await rawRequest(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Authorization: authorization,
        },
        body: JSON.stringify(LIST),
      });
      assert.equal(res.status, 401, authorization.slice(0, 20));
      assert.equal(
        res.headers['www-authenticate'],
        'Bearer realm="sherpa-vulnerable-mcp", error="invalid_token"',
      );
    }
  });

  it('hands ANY directory record to anyone with the shared static token', async () => {
    const res = await callTool(url, LAB_STATIC_TOKEN, 'get_user_info', { user_id: 'user_003' });
    assert.equal(res.status, 200);
    const record = JSON.parse(
      res.json<{ result: { content: { text: string }[] } }>().result.content[0]!.text,
    );
    assert.equal(record.name, 'Carol Cartographer');
    assert.equal(record.phone, '+1-555-0103');
  });

  it('accepts a JWT for ANOTHER resource, long expired, because it only checks the signature', async () => {
    const now = Math.floor(Date.now() / 1000);
    const foreign = await issuer.mint({
      aud: LAB_OTHER_API_CLIENT_ID,
      exp: now - 86_400,
      iat: now - 90_000,
      scp: 'User.Read',
    });
    const res = await callTool(url, foreign, 'get_user_info', { user_id: 'user_001' });
    assert.equal(res.status, 200);
    assert.match(res.text, /Alice Admin/);
    // …but a JWT whose signature does not verify is still refused.
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await issuer.mint({}, { key: privateKey });
    assert.equal((await callTool(url, forged, 'get_user_info', { user_id: 'user_001' })).status, 401);
  });

  it('answers bad JSON with a JSON-RPC parse error and keeps serving', async () => {
    const res = await postJsonRpc(url, '{not json', LAB_STATIC_TOKEN);
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), {
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error: body is not valid JSON' },
      id: null,
    });
    const unknownTool = await callTool(url, LAB_STATIC_TOKEN, 'no_such_tool', {});
    assert.equal(unknownTool.status, 200);
    // The SDK's McpServer answers an unknown tool with a tool error result (isError), not a JSON-RPC error.
    const unknownBody = unknownTool.json<{
      result?: { isError?: boolean; content: { type: string; text: string }[] };
      error?: unknown;
    }>();
    assert.equal(unknownBody.error, undefined, unknownTool.text);
    assert.equal(unknownBody.result?.isError, true, unknownTool.text);
    assert.match(unknownBody.result.content[0]?.text ?? '', /Tool no_such_tool not found/);
    const huge = await postJsonRpc(url, LIST, 'y'.repeat(20_000));
    assert.equal(huge.status, 431);
    const ok = await postJsonRpc(url, LIST, LAB_STATIC_TOKEN);
    assert.equal(ok.status, 200);
    assert.deepEqual(
      ok.json<{ result: { tools: { name: string }[] } }>().result.tools.map((t) => t.name),
      ['get_user_info'],
    );
  });

  it('still binds loopback and rejects foreign Host/Origin headers', async () => {
    assert.equal(new URL(url).hostname, '127.0.0.1');
    assert.equal((await postJsonRpc(url, LIST, LAB_STATIC_TOKEN, { Host: 'evil.example.com' })).status, 403);
    assert.equal(
      (await postJsonRpc(url, LIST, LAB_STATIC_TOKEN, { Origin: 'http://evil.example.com' })).status,
      403,
    );
  });

  it('works with the MCP SDK client and the static token', async () => {
    const client = new Client({ name: 'sherpa-test', version: '0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${LAB_STATIC_TOKEN}` } },
      }),
    );
    const res = (await client.callTool({ name: 'get_user_info', arguments: { user_id: 'user_004' } })) as {
      content: { text: string }[];
    };
    assert.equal(JSON.parse(res.content[0]!.text).department, 'Human Resources');
    await client.close();
  });
});
