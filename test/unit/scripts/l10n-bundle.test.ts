/**
 * The extension's runtime strings go through `vscode.l10n.t` (issue 20 §4), and l10n/bundle.l10n.json —
 * what a translator starts from, shipped in the VSIX — holds exactly those messages: none missing, none
 * stale. Regenerate it with `node scripts/l10n-bundle.mjs`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
// @ts-expect-error -- a plain .mjs script without type declarations
import { BUNDLE, bundleText, extractMessages } from '../../../scripts/l10n-bundle.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

interface Extracted {
  messages: string[];
  notLiteral: string[];
  badArgs: string[];
}
const extract = extractMessages as (root?: string) => Extracted;

describe('l10n bundle', () => {
  const found = extract();

  it('every l10n.t call in src/extension passes one string literal and one argument per placeholder', () => {
    assert.deepEqual(found.notLiteral, []);
    assert.deepEqual(found.badArgs, []);
    assert.ok(found.messages.length >= 150, `${found.messages.length} messages: the extension's strings`);
  });

  it('l10n/bundle.l10n.json has exactly those messages, each mapped to itself', () => {
    const bundle = JSON.parse(readFileSync(BUNDLE as string, 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(bundle).sort(), found.messages);
    for (const [k, v] of Object.entries(bundle)) assert.equal(v, k);
    assert.equal(
      readFileSync(BUNDLE as string, 'utf8'),
      (bundleText as (m: string[]) => string)(found.messages),
    );
  });

  it('the manifest names the folder and the VSIX ships it', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { l10n?: string };
    assert.equal(manifest.l10n, './l10n');
    assert.ok(readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n').includes('!l10n/**'));
  });

  it('names a call it cannot translate: a template with substitutions, a placeholder without its argument', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sherpa-l10n-'));
    try {
      writeFileSync(
        join(dir, 'x.ts'),
        [
          "import * as vscode from 'vscode';",
          'const who = "alice";',
          'vscode.l10n.t(`Hello ${who}`);',
          "vscode.l10n.t('Hello {0}');",
          "vscode.l10n.t('Hello {0}', who);",
        ].join('\n'),
      );
      const r = extract(dir);
      assert.equal(r.notLiteral.length, 1);
      assert.match(r.notLiteral[0]!, /x\.ts:3$/);
      assert.equal(r.badArgs.length, 1);
      assert.match(r.badArgs[0]!, /x\.ts:4$/);
      assert.deepEqual(r.messages, ['Hello {0}']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
