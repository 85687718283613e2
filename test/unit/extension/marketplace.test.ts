/**
 * What the Marketplace shows about Sherpa (issue 20 §4): categories VS Code knows, keywords, honest links,
 * and a changelog entry for the version being packaged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const manifest = JSON.parse(read('package.json')) as {
  version: string;
  categories?: string[];
  keywords?: string[];
  repository?: string | { url?: string };
  bugs?: string | { url?: string };
  homepage?: string;
};

/** The `categories` enum of VS Code's extension manifest schema (1.138). */
const VSCODE_CATEGORIES = new Set([
  'AI',
  'Azure',
  'Chat',
  'Data Science',
  'Debuggers',
  'Education',
  'Extension Packs',
  'Formatters',
  'Keymaps',
  'Language Packs',
  'Linters',
  'Machine Learning',
  'Notebooks',
  'Programming Languages',
  'SCM Providers',
  'Snippets',
  'Testing',
  'Themes',
  'Visualization',
  'Other',
]);

describe('Marketplace metadata', () => {
  it('categories are ones VS Code knows, without the catch-all next to real ones', () => {
    const categories = manifest.categories ?? [];
    assert.ok(categories.length > 0);
    for (const c of categories) assert.ok(VSCODE_CATEGORIES.has(c), `unknown category ${c}`);
    if (categories.length > 1) assert.ok(!categories.includes('Other'));
  });

  it('keywords say what Sherpa is about', () => {
    const keywords = manifest.keywords ?? [];
    for (const k of ['mcp', 'oauth', 'security']) assert.ok(keywords.includes(k), k);
    assert.equal(new Set(keywords).size, keywords.length);
  });

  it('links, where present, are real https addresses, not placeholders', () => {
    const links = [manifest.repository, manifest.bugs, manifest.homepage]
      .map((l) => (typeof l === 'string' ? l : l?.url))
      .filter((l): l is string => !!l);
    for (const l of links) {
      assert.match(l, /^(git\+)?https:\/\//, l);
      assert.doesNotMatch(l, /example\.|your-|TODO|OWNER|placeholder/i, l);
    }
  });

  it('CHANGELOG.md has an entry for the version in package.json', () => {
    assert.match(read('CHANGELOG.md'), new RegExp(`^## ${manifest.version.replace(/\./g, '\\.')}\\b`, 'm'));
  });
});
