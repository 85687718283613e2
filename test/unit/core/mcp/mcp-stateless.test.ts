/**
 * The 2026-07-28 stateless client on the wire (found by the conformance suite's 2026-07-28 requirement set:
 * `http-standard-headers`, `json-schema-ref-no-deref`): the SEP-2243 `Mcp-Method` / `Mcp-Name` headers on
 * every POST, and a response the server streams as SSE read like a JSON one. A loopback HTTP server records
 * what arrives.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createStatelessClient, mcpHeaderValue } from '../../../../src/core/mcp/mcp-stateless';

const seen: IncomingHttpHeaders[] = [];
let url = '';
const server = createServer((req, res) => {
  let raw = '';
  req.on('data', (d: Buffer) => (raw += d.toString()));
  req.on('end', () => {
    seen.push(req.headers);
    const { id, method } = JSON.parse(raw) as { id: number; method: string };
    const result =
      method === 'tools/list'
        ? { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }
        : { content: [{ type: 'text', text: 'hi' }] };
    if (method === 'tools/call') {
      // An SSE stream: a notification first, then the response.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\n` +
          `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result })}\n\n`,
      );
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result }));
    }
  });
});

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('Mcp-Method on every POST, Mcp-Name on tools/call; an SSE answer is read', async () => {
  seen.length = 0;
  const client = createStatelessClient(url);
  assert.deepEqual(
    (await client.listTools()).map((t) => t.name),
    ['echo'],
  );
  const result = await client.callTool('echo', { x: 1 });
  assert.deepEqual(result.content, [{ type: 'text', text: 'hi' }]);
  assert.equal(seen[0]!['mcp-method'], 'tools/list');
  assert.equal(seen[0]!['mcp-name'], undefined);
  assert.equal(seen[1]!['mcp-method'], 'tools/call');
  assert.equal(seen[1]!['mcp-name'], 'echo');
  assert.equal(seen[1]!['mcp-protocol-version'], '2026-07-28');
});

test('a name a header cannot carry as is goes base64-encoded', () => {
  assert.equal(mcpHeaderValue('get_weather'), 'get_weather');
  assert.equal(mcpHeaderValue('résumé'), `=?base64?${Buffer.from('résumé').toString('base64')}?=`);
  assert.equal(mcpHeaderValue(' padded'), `=?base64?${Buffer.from(' padded').toString('base64')}?=`);
});
