import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { connectMultiplexed, MultiplexTransport } from '../../../../src/servers/shared/multiplex-transport';

describe('MultiplexTransport', () => {
  it('answers for the real SDK when its strict schema refuses a request (found in review: it hung)', async () => {
    const mcp = new McpServer({ name: 't', version: '0' }, { capabilities: { tools: {} } });
    const transport = await connectMultiplexed(mcp);
    const reply = (await transport.dispatchRequest(
      { jsonrpc: '2.0', id: 7, method: 'ping', extra: 1 } as never,
      {},
    )) as unknown as { id: number; error: { code: number } };
    assert.equal(reply.id, 7);
    assert.equal(reply.error.code, -32600);
    const ok = (await transport.dispatchRequest(
      { jsonrpc: '2.0', id: 8, method: 'ping' },
      {},
    )) as unknown as {
      result: unknown;
    };
    assert.deepEqual(ok.result, {}, 'still serving');
    await mcp.close();
  });

  it('routes each reply to its own caller with the original id, even for identical ids', async () => {
    const mcp = new McpServer({ name: 't', version: '0' }, { capabilities: { tools: {} } });
    mcp.registerTool('echo_caller', { description: 'returns the caller' }, async (extra) => {
      await new Promise((r) => setTimeout(r, Math.random() * 5)); // shuffle completion order
      return { content: [{ type: 'text', text: String(extra.authInfo?.clientId) }] };
    });
    const transport = new MultiplexTransport();
    await mcp.connect(transport);
    const callers = Array.from({ length: 40 }, (_, i) => `caller-${i}`);
    const replies = await Promise.all(
      callers.map((clientId) =>
        transport.dispatchRequest(
          { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo_caller', arguments: {} } },
          { authInfo: { token: '', clientId, scopes: [] } },
        ),
      ),
    );
    replies.forEach((reply, i) => {
      const r = reply as unknown as { id: number; result: { content: { text: string }[] } };
      assert.equal(r.id, 1);
      assert.equal(r.result.content[0]!.text, callers[i]);
    });
    await mcp.close();
  });

  it('does not pass client cancellations through', async () => {
    const transport = new MultiplexTransport();
    const seen: string[] = [];
    transport.onmessage = (m) => seen.push((m as { method: string }).method);
    transport.dispatchNotification(
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'mx-1' } },
      {},
    );
    transport.dispatchNotification({ jsonrpc: '2.0', method: 'notifications/initialized' }, {});
    assert.deepEqual(seen, ['notifications/initialized']);
  });

  it("remembers the SDK's tools/list answer until the SDK announces a change", async () => {
    const mcp = new McpServer({ name: 't', version: '0' }, { capabilities: { tools: {} } });
    mcp.registerTool('first', { description: 'one' }, async () => ({ content: [] }));
    const transport = new MultiplexTransport();
    await mcp.connect(transport);
    let delivered = 0;
    const sdk = transport.onmessage!;
    transport.onmessage = (m, extra) => {
      delivered++;
      sdk(m, extra);
    };
    const list = async (id: number, params?: Record<string, unknown>) =>
      (await transport.dispatchRequest(
        { jsonrpc: '2.0', id, method: 'tools/list', ...(params ? { params } : {}) },
        {},
      )) as unknown as { id: number; result?: { tools: { name: string }[] }; error?: { code: number } };
    const names = (r: Awaited<ReturnType<typeof list>>) => r.result!.tools.map((t) => t.name);

    assert.deepEqual(names(await list(1, {})), ['first']);
    const again = await list(2);
    assert.equal(again.id, 2, "the caller's own id");
    assert.deepEqual(names(again), ['first']);
    assert.equal(delivered, 1, 'the second answer came from memory');

    const withParams = await list(3, { cursor: 'x' });
    assert.equal(delivered, 2, 'a request with params goes to the SDK');
    assert.deepEqual(names(withParams), ['first']);

    const second = mcp.registerTool('second', { description: 'two' }, async () => ({ content: [] }));
    assert.deepEqual(names(await list(4)), ['first', 'second'], 'list_changed dropped the remembered answer');
    second.disable();
    assert.deepEqual(names(await list(5)), ['first'], 'disabling a tool too');
    await mcp.close();
  });
});
