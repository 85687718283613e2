/**
 * What the VSIX carries, as `vsce ls` (the packager itself, reading .vscodeignore) lists it: the two
 * bundles, and the azd deployment project "Sherpa Azure: Create Deployment Project…" writes for someone
 * who installed from the Marketplace (core/azure/deployment-project.ts) — no sources, no node_modules.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { PREBUILT_DOCKERFILE, SERVER_BUNDLE } from '../../../src/core/azure/deployment-project';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

describe('the VSIX file list (vsce ls)', () => {
  it('carries the deployment project and the server bundle, and no sources', () => {
    assert.ok(existsSync(join(ROOT, SERVER_BUNDLE)), 'the build stage ran (npm run build)');
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const listed = new Set(
      r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
    const bicep = readdirSync(join(ROOT, 'infra'), { recursive: true })
      .map((p) => `infra/${String(p).split(sep).join('/')}`)
      .filter((p) => p.endsWith('.bicep'));
    const project = [
      'azure.yaml',
      ...bicep,
      'infra/main.parameters.json',
      'infra/bicepconfig.json',
      PREBUILT_DOCKERFILE,
      SERVER_BUNDLE,
      'dist/extension/extension.mjs',
    ];
    for (const f of project) assert.ok(listed.has(f), `${f} is packaged`);
    const unwanted = [...listed].filter((f) =>
      /^(src|test|scripts|node_modules)\/|\.map$|^infra\/Dockerfile$|^infra\/README\.md$/.test(f),
    );
    assert.deepEqual(unwanted, [], 'no sources, maps, or the build-from-source Dockerfile');
  });
});
