import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findFreePorts } from '../../../src/lab/free-port';

test('findFreePorts hands out distinct ports (probes held open until all are known)', async () => {
  const ports = await findFreePorts('127.0.0.1', 50);
  assert.equal(ports.length, 50);
  assert.equal(new Set(ports).size, 50);
  for (const p of ports) assert.ok(p > 0 && p < 65536);
});
