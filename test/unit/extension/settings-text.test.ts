/**
 * The Settings editor as a newcomer reads it: plain-language descriptions (no API names, no RFC numbers —
 * those belong in the docs and the log), and every machine-scoped setting says where it lives in a remote
 * window, since the Settings editor otherwise shows it greyed out on the User tab.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('../../../', import.meta.url);
const nls = JSON.parse(readFileSync(new URL('package.nls.json', root), 'utf8')) as Record<string, string>;
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
};

interface SettingSchema {
  scope?: string;
  description?: string;
  markdownDescription?: string;
  enumDescriptions?: string[];
  markdownEnumDescriptions?: string[];
}

const localised = (v: string) => (v.startsWith('%') && v.endsWith('%') ? (nls[v.slice(1, -1)] ?? v) : v);
const settings = Object.entries(manifest.contributes.configuration.properties).map(([key, s]) => ({
  key,
  scope: s.scope,
  texts: [
    s.description,
    s.markdownDescription,
    ...(s.enumDescriptions ?? []),
    ...(s.markdownEnumDescriptions ?? []),
  ]
    .filter((t): t is string => typeof t === 'string')
    .map(localised),
}));

describe('Settings descriptions', () => {
  it('every setting is described, in plain words: no RFC numbers, no VS Code API names', () => {
    assert.ok(settings.length >= 10);
    for (const s of settings) {
      assert.ok(
        s.texts.length && s.texts.every((t) => t.trim() && !t.startsWith('%')),
        `${s.key} is described`,
      );
      for (const t of s.texts) {
        assert.doesNotMatch(t, /\bRFC ?\d+/, s.key);
        assert.doesNotMatch(t, /vscode\.\w|asExternalUri|@azure\//, s.key);
      }
    }
  });

  it("a section a description sends you to is a heading of the extension's Details page", () => {
    // The Details page in the Extensions view is the README packaged in the VSIX (docs/marketplace/README.md).
    const page = readFileSync(new URL('docs/marketplace/README.md', root), 'utf8');
    const headings = page
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => l.replace(/^#+ /, ''));
    const pointers = settings.flatMap((s) =>
      s.texts.flatMap((t) => [...t.matchAll(/see "([^"]+)" on Sherpa's Details page/g)].map((m) => m[1]!)),
    );
    assert.ok(pointers.length > 0, 'at least one description points to the Details page');
    for (const p of pointers) assert.ok(headings.includes(p), `the Details page has no section "${p}"`);
    for (const s of settings) for (const t of s.texts) assert.doesNotMatch(t, /\bthe README\b/, s.key);
  });

  it('a machine-scoped setting says it lives on the Remote tab in a remote window', () => {
    const machine = settings.filter((s) => s.scope === 'machine' || s.scope === 'machine-overridable');
    assert.ok(
      machine.some((s) => s.key === 'sherpa.secureServer.url'),
      'the server URLs are machine-scoped',
    );
    for (const s of machine) assert.match(s.texts.join(' '), /remote window.*\*\*Remote\*\* tab/s, s.key);
  });
});
