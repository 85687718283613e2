/**
 * A hostile MCP server on loopback offers a tool whose schema has a catastrophic-backtracking pattern
 * (issue 16 #7). The client lists the tool over real MCP, builds the argument checker Run Tool uses, and
 * checks what a person would type: the answer comes back, from the linear engine.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import { connectMcp, type McpSession } from '../../../../src/core/mcp/mcp-connect';
import { LinearPattern } from '../../../../src/core/mcp/schema-regexp';
import { createArgumentChecker } from '../../../../src/core/mcp/tool-arguments';
import { startHostileServer, type HostileServer } from '../../../support/hostile/hostile-server';

let server: HostileServer;
let session: McpSession;
before(async () => {
  server = await startHostileServer({
    unprotected: true,
    tools: [
      {
        name: 'lookup',
        description: 'Looks a name up',
        inputSchema: {
          type: 'object',
          properties: { name: { type: 'string', pattern: '^(a+)+$' } },
          required: ['name'],
        },
      },
    ],
  });
  session = await connectMcp(server.url);
});
after(async () => {
  await session.close();
  await server.close();
});

test("a hostile server's ReDoS pattern is answered by the linear engine", async (t) => {
  const calls = mock.method(LinearPattern.prototype, 'test');
  t.after(() => calls.mock.restore());
  const [tool] = await session.listTools();
  assert.equal(tool?.name, 'lookup');
  const check = createArgumentChecker(tool.inputSchema);
  // What a person types, one character at a time, ending on the character that makes V8 backtrack.
  let typed = '';
  for (let i = 0; i < 40; i++) {
    typed += 'a';
    assert.equal(check(JSON.stringify({ name: typed })).ok, true);
  }
  const r = check(JSON.stringify({ name: typed + '!' }));
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.message, /name: must match pattern/);
  assert.equal(calls.mock.callCount(), 41, 'every check went through RE2JS');
});
