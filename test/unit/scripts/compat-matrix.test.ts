/**
 * docs/compatibility.md's tables are generated, never hand-written (issue 17 §5): its rows are exactly the cells the
 * interop tests declare (test/support/compat-matrix.ts), rendered from what those tests measured
 * (test/interop/measured-<group>.json, folded in by `node scripts/compat-matrix.mjs update`).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DOC_PATH,
  generatedPart,
  GROUPS,
  readMeasured,
  readRunRows,
  renderDoc,
  renderText,
  rowKey,
  splicePage,
} from '../../../scripts/compat-matrix.mjs';
import { DECLARED_COMPAT_CELLS, recordCompatRow, type CompatRow } from '../../support/compat-matrix';
import { REPO_ROOT } from '../../support/lab';

test('docs/compatibility.md’s tables are exactly what the measured files render to', () => {
  assert.equal(
    generatedPart(readFileSync(DOC_PATH, 'utf8')),
    renderDoc(),
    'run: node scripts/compat-matrix.mjs update',
  );
});

test('update keeps the hand-written prose around the generated part', () => {
  const page = `# T\n\nbefore\n\n${renderDoc({ servers: [], clients: [] })}\n\nafter\n`;
  const spliced = splicePage(page, renderDoc());
  assert.ok(spliced.startsWith('# T\n\nbefore\n\n') && spliced.endsWith('\n\nafter\n'), spliced);
  assert.equal(generatedPart(spliced), renderDoc());
  assert.throws(() => generatedPart('# no markers'), /markers/);
});

test('the measured rows are the declared cells, each measured by a test file that exists', () => {
  const measured = GROUPS.flatMap((g) => readMeasured(g).map((r) => ({ ...r, group: g })));
  const declared = DECLARED_COMPAT_CELLS.filter((c) => GROUPS.includes(c.group));
  assert.deepEqual(measured.map(rowKey).sort(), declared.map(rowKey).sort());
  for (const row of measured) {
    const cell = declared.find((c) => rowKey(c) === rowKey(row))!;
    assert.equal(row.test, cell.test, rowKey(row));
    assert.ok(existsSync(join(REPO_ROOT, row.test)), row.test);
    // A measured row carries exact versions and what happened, not placeholders.
    assert.match(row.clientVersion, /\d+\.\d+/, rowKey(row));
    assert.match(row.serverVersion, /\d+\.\d+/, rowKey(row));
    for (const k of ['signIn', 'tools', 'audit'] as const)
      assert.ok(row[k].length > 0, `${rowKey(row)} ${k}`);
    assert.doesNotMatch(row.audit, /NOT RUN/, `${rowKey(row)}: the broken variant was not measured`);
  }
  // Every row appears in the page.
  const doc = readFileSync(DOC_PATH, 'utf8');
  for (const row of measured) assert.ok(doc.includes(`| ${row.client} ${row.clientVersion} |`), rowKey(row));
});

test('recordCompatRow writes a declared cell and refuses an undeclared one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sherpa-compat-'));
  try {
    const cell = DECLARED_COMPAT_CELLS[0]!;
    const row: CompatRow = {
      ...cell,
      clientVersion: '1.0.0',
      serverVersion: '2.0.0',
      signIn: 'ok',
      tools: 'ok',
      audit: '1 pass',
      notes: 'n',
    };
    recordCompatRow(row, dir);
    assert.deepEqual(readRunRows(dir), [row]);
    assert.match(renderText([row]), /sherpa connect 1\.0\.0 +.* 2\.0\.0 +sherpa lab +ok +ok +1 pass/);
    assert.throws(
      () => recordCompatRow({ ...row, server: 'something nobody declared' }, dir),
      /not declared/,
    );
    assert.throws(() => recordCompatRow({ ...row, test: 'test/elsewhere.test.ts' }, dir), /not declared/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
