#!/usr/bin/env node
// `npm run pack:cli [-- DEST]`: the `sherpa` CLI as an npm package — the bundle (dist/sherpa.mjs, every
// dependency inside it), its licences, README and a manifest of its own. The repository's package.json is
// the extension's and the developers' (devDependencies, the project's Node as optionalDependencies for every
// platform): a user installing the CLI must get none of that, so the package is staged from scratch here.
// Prints `npm pack --json`'s answer (the tarball's name and file list) on stdout.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
const dest = resolve(process.argv[2] ?? join(REPO, 'dist'));
const stage = join(REPO, 'dist', 'cli-package');

const bundle = join(REPO, 'dist', 'sherpa.mjs');
if (!existsSync(bundle)) {
  console.error('dist/sherpa.mjs is missing: run `npm run build` first.');
  process.exit(1);
}
const root = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const manifest = {
  name: root.name,
  version: root.version,
  description: root.description,
  license: root.license,
  type: 'module',
  bin: { sherpa: './dist/sherpa.mjs' },
  engines: { node: root.engines.node },
  ...(root.repository ? { repository: root.repository } : {}),
  ...(root.homepage ? { homepage: root.homepage } : {}),
  ...(root.bugs ? { bugs: root.bugs } : {}),
  keywords: root.keywords ?? [],
};

rmSync(stage, { recursive: true, force: true });
const files = {
  'dist/sherpa.mjs': bundle,
  'dist/sherpa.mjs.LEGAL.txt': join(REPO, 'dist', 'sherpa.mjs.LEGAL.txt'),
  'README.md': join(REPO, 'README.md'),
  LICENSE: join(REPO, 'LICENSE'),
  // The azd project `sherpa azure init` writes (src/core/azure/deployment-project.ts): no clone needed.
  'azure.yaml': join(REPO, 'azure.yaml'),
  'infra/main.parameters.json': join(REPO, 'infra', 'main.parameters.json'),
  'infra/bicepconfig.json': join(REPO, 'infra', 'bicepconfig.json'),
  'infra/prebuilt.Dockerfile': join(REPO, 'infra', 'prebuilt.Dockerfile'),
};
for (const p of readdirSync(join(REPO, 'infra'), { recursive: true }))
  if (String(p).endsWith('.bicep'))
    files[`infra/${String(p).split(sep).join('/')}`] = join(REPO, 'infra', String(p));
for (const [to, from] of Object.entries(files)) {
  mkdirSync(dirname(join(stage, to)), { recursive: true });
  copyFileSync(from, join(stage, to));
}
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
mkdirSync(dest, { recursive: true });
const r = spawnSync('npm', ['pack', stage, '--pack-destination', dest, '--json'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (r.status !== 0) process.exit(r.status ?? 1);
process.stdout.write(r.stdout);
