/**
 * The deployment project `sherpa azure init` writes for someone without a clone compiles with the pinned
 * Bicep CLI exactly as infra/ does: 0 errors, 0 warnings from `bicep build` and `bicep lint` run inside
 * the written folder (its own bicepconfig.json), and its image runs the bundle written next to it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../scripts/tools-manifest';
import { runBicep, type Diagnostic } from '../support/arm/bicep';

const show = (d: Diagnostic[]) =>
  d.map((x) => `${x.file}(${x.line}) ${x.level} ${x.code}: ${x.message}`).join('\n');

describe('the deployment project sherpa azure init writes', () => {
  let tmp: string;
  let project: string;
  before(() => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'sherpa.mjs')), 'run the build first (npm test does)');
    tmp = mkdtempSync(join(tmpdir(), 'sherpa-init-infra-'));
    project = join(tmp, 'deploy');
    execFileSync(process.execPath, [join(REPO_ROOT, 'dist', 'sherpa.mjs'), 'azure', 'init', project], {
      stdio: 'pipe',
    });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('bicep build infra/main.bicep in the written folder: 0 errors, 0 warnings, the same template', () => {
    const r = runBicep(['build', 'infra/main.bicep', '--stdout'], project);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
    const ours = runBicep(['build', 'infra/main.bicep', '--stdout']);
    assert.equal(r.stdout, ours.stdout, 'the same ARM template as the repository compiles to');
  });

  it('bicep lint in the written folder: 0 errors, 0 warnings', () => {
    const r = runBicep(['lint', 'infra/main.bicep'], project);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
  });

  it("the image azure.yaml builds copies the bundle beside it and runs infra/Dockerfile's command", () => {
    const line = (text: string, k: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith(`${k} `))
        ?.slice(k.length + 1);
    const written = readFileSync(join(project, 'infra', 'Dockerfile'), 'utf8');
    // The repository's runtime stage: what follows its last FROM.
    const full = readFileSync(join(REPO_ROOT, 'infra', 'Dockerfile'), 'utf8');
    const repo = full.slice(full.lastIndexOf('\nFROM '));
    assert.equal(line(written, 'FROM'), line(repo.trimStart(), 'FROM'), 'the same base image');
    for (const k of ['ENTRYPOINT', 'CMD', 'USER', 'EXPOSE', 'WORKDIR'])
      assert.equal(line(written, k), line(repo, k), k);
    assert.equal(line(written, 'COPY'), 'sherpa.mjs ./sherpa.mjs');
    assert.equal(
      readFileSync(join(project, 'sherpa.mjs'), 'utf8'),
      readFileSync(join(REPO_ROOT, 'dist', 'sherpa.mjs'), 'utf8'),
    );
  });
});
