import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countOf } from '../../../src/core/plural';

test('countOf: singular for exactly one, plural otherwise (0 included), irregular plurals given', () => {
  assert.equal(countOf(1, 'tool'), '1 tool');
  assert.equal(countOf(3, 'tool'), '3 tools');
  assert.equal(countOf(0, 'tool'), '0 tools');
  assert.equal(countOf(2, 'authorization'), '2 authorizations');
  assert.equal(countOf(2, 'entry', 'entries'), '2 entries');
});
