import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSampledLog } from '../../../../src/servers/shared/log';

test('one line per kind per window, then the count of what was left out', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 0 });
  const lines: Array<[string, Record<string, unknown>]> = [];
  const log = createSampledLog((msg, fields) => lines.push([msg, fields]), 1000);
  for (let i = 0; i < 50; i++) log('invalid_token', 'rejected', { i });
  log('missing_token', 'rejected', {});
  assert.deepEqual(lines, [
    ['rejected', { i: 0 }],
    ['rejected', {}],
  ]);
  t.mock.timers.tick(1000);
  log('invalid_token', 'rejected', { i: 50 });
  assert.deepEqual(lines[2], ['rejected', { i: 50, suppressedSinceLast: 49 }]);
});
