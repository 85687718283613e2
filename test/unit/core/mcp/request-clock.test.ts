/** The MCP request clock: deadlines stand still while held, and an unanswered request ends with MCP_TIMEOUT. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isSherpaError } from '../../../../src/core/errors';
import { connectMcp } from '../../../../src/core/mcp/mcp-connect';
import { RequestClock } from '../../../../src/core/mcp/request-clock';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a deadline does not fire while the clock is held, and restarts in full when released', async () => {
  const clock = new RequestClock(100);
  let fired = 0;
  const stop = clock.deadline(() => fired++);
  await clock.whileHeld(() => sleep(300));
  assert.equal(fired, 0, 'held: nothing fired');
  await sleep(50);
  assert.equal(fired, 0, 'restarted in full on release');
  await sleep(120);
  assert.equal(fired, 1);
  stop();
});

test('nested holds: the clock runs again only when the last one ends', async () => {
  const clock = new RequestClock(50);
  let fired = 0;
  const stop = clock.deadline(() => fired++);
  await clock.whileHeld(async () => {
    await Promise.all([clock.whileHeld(() => sleep(20)), sleep(150)]);
    assert.equal(fired, 0);
  });
  await sleep(100);
  assert.equal(fired, 1);
  stop();
});

test('an MCP server that accepts the request and never answers: MCP_TIMEOUT naming the request', async (t) => {
  const server = createServer(() => undefined); // reads the request, never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  await assert.rejects(
    connectMcp(url, { timeoutMs: 200 }),
    (e) => isSherpaError(e, 'MCP_TIMEOUT') && /did not answer initialize within 0.2 s/.test(e.message),
  );
});
