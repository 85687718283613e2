#!/usr/bin/env node
// `node scripts/l10n-bundle.mjs [--check]`: the extension's runtime strings → l10n/bundle.l10n.json.
// Every `vscode.l10n.t('message', …args)` call in src/extension is read with the TypeScript parser (the
// message must be one string literal, so a translator sees it whole); the bundle maps each message to
// itself, the form VS Code's `l10n` folder expects for the source language (translations are the
// `bundle.l10n.<locale>.json` files beside it). --check exits 1 when the committed bundle differs.
// @vscode/l10n-dev does the same export, but it is not a dependency of this project; this is the part we use.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const REPO = resolve(import.meta.dirname, '..');
export const BUNDLE = join(REPO, 'l10n', 'bundle.l10n.json');
const SOURCES = join(REPO, 'src', 'extension');

/** `vscode.l10n.t(…)` or `l10n.t(…)` (after `import { l10n } from 'vscode'`). */
function isL10nCall(node) {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const { expression: owner, name } = node.expression;
  if (name.text !== 't') return false;
  if (ts.isIdentifier(owner)) return owner.text === 'l10n';
  return ts.isPropertyAccessExpression(owner) && owner.name.text === 'l10n';
}

/**
 * Every message passed to l10n.t under src/extension; every call whose message is not one string literal
 * (a template with substitutions, a variable, a concatenation) and every call whose `{0}`, `{1}`…
 * placeholders do not match its arguments (one argument per placeholder, none left over), as `file:line`.
 */
export function extractMessages(root = SOURCES) {
  const messages = new Set();
  const notLiteral = [];
  const badArgs = [];
  const files = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  for (const f of files) {
    const path = join(root, f);
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (isL10nCall(node)) {
        const first = node.arguments[0];
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        const where = `${relative(REPO, path)}:${line + 1}`;
        if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
          messages.add(first.text);
          const used = [...first.text.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1]));
          const count = used.length ? Math.max(...used) + 1 : 0;
          if (count !== node.arguments.length - 1) badArgs.push(where);
        } else notLiteral.push(where);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { messages: [...messages].sort(), notLiteral, badArgs };
}

/** The bundle's text: each message mapped to itself, sorted, as VS Code reads it. */
export function bundleText(messages) {
  return JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2) + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { messages, notLiteral, badArgs } = extractMessages();
  if (notLiteral.length || badArgs.length) {
    if (notLiteral.length)
      console.error(`l10n.t needs one string literal as its message:\n  ${notLiteral.join('\n  ')}`);
    if (badArgs.length) console.error(`l10n.t placeholders and arguments differ:\n  ${badArgs.join('\n  ')}`);
    process.exit(1);
  }
  const text = bundleText(messages);
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(BUNDLE, 'utf8');
    } catch {
      // missing: differs
    }
    if (committed !== text) {
      console.error('l10n/bundle.l10n.json is out of date: run `node scripts/l10n-bundle.mjs`.');
      process.exit(1);
    }
    console.log(`l10n/bundle.l10n.json: ${messages.length} messages, up to date`);
  } else {
    mkdirSync(join(REPO, 'l10n'), { recursive: true });
    writeFileSync(BUNDLE, text);
    console.log(`l10n/bundle.l10n.json: ${messages.length} messages`);
  }
}
