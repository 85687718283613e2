#!/usr/bin/env node
// Runs node's test runner (through tsx) over every *.test.ts below a folder.
// Node 20's `--test` does not expand glob patterns itself (that arrived in Node 21), and npm runs
// scripts with /bin/sh, which has no `**`: so the file list is built here.
//   node scripts/node-tests.mjs <folder> [extra node --test options…]
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const [folder, ...extra] = process.argv.slice(2);
if (!folder) {
  console.error('usage: node scripts/node-tests.mjs <folder> [node --test options]');
  process.exit(2);
}
const files = readdirSync(folder, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => relative(process.cwd(), join(folder, f)))
  .sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${folder}`);
  process.exit(1);
}
const reporter = extra.some((a) => a.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec'];
const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...reporter, ...extra, ...files], {
  stdio: 'inherit',
});
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
