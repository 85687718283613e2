/** docs/audit-checks.md stays true: one table row per check of the catalogue, with its level. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CHECKS } from '../../../../src/core/audit/catalogue';

test('docs/audit-checks.md has a row for every check, with the catalogue level and OWASP items', () => {
  const doc = readFileSync('docs/audit-checks.md', 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\| `([a-z0-9.-]+)` +\| (must|should|info) +\| ([^|]*?) +\|/gm)].map((m) => [
      m[1]!,
      `${m[2]!} ${m[3]!}`,
    ]),
  );
  for (const c of Object.values(CHECKS))
    assert.equal(
      rows.get(c.id),
      `${c.level} ${c.owasp.join(', ') || '—'}`,
      `${c.id} in docs/audit-checks.md`,
    );
  assert.equal(rows.size, Object.keys(CHECKS).length, 'no row for a check that no longer exists');
});
