import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runtimeWarning } from '../../../src/cli/runtime';

test('Node 20 gets a warning that names the supported lines and how to get one', () => {
  const w = runtimeWarning('20.20.2');
  assert.match(w ?? '', /Node 20\.20\.2/);
  assert.match(w ?? '', /22 and 24/);
  assert.match(w ?? '', /npm install/);
});

test('Node 22 and 24 run without a warning', () => {
  assert.equal(runtimeWarning('22.21.0'), undefined);
  assert.equal(runtimeWarning('24.21.0'), undefined);
});
