/**
 * The deployment project written for someone without a clone: exactly the files azd needs, copied
 * byte for byte from an installed Sherpa (here: this repository's azure.yaml and infra/ with a stand-in
 * bundle), never over a person's files without --force.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  findDeploymentSource,
  PREBUILT_DOCKERFILE,
  writeDeploymentProject,
} from '../../../../src/core/azure/deployment-project';
import { isSherpaError } from '../../../../src/core/errors';

const REPO = join(import.meta.dirname, '..', '..', '..', '..');

/** Every file under `dir`, relative, `/`-separated, sorted. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split(sep)
        .join('/'),
    )
    .sort();
}

describe('the deployment project (sherpa azure init, Create Deployment Project…)', () => {
  let tmp: string;
  let installed: string;
  const bundle = '// the server bundle, built by esbuild.mjs\n';

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'sherpa-init-'));
    // An installed Sherpa: what the VSIX and the CLI package carry (.vscodeignore, pack-cli.mjs).
    installed = join(tmp, 'installed');
    cpSync(join(REPO, 'azure.yaml'), join(installed, 'azure.yaml'));
    cpSync(join(REPO, 'infra'), join(installed, 'infra'), { recursive: true });
    mkdirSync(join(installed, 'dist'));
    writeFileSync(join(installed, 'dist', 'sherpa.mjs'), bundle);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes exactly azure.yaml, the Bicep, its parameters and config, the Dockerfile and the bundle', async () => {
    const folder = join(tmp, 'new', 'project');
    const written = await writeDeploymentProject(installed, folder);
    const bicep = listFiles(join(REPO, 'infra'))
      .filter((p) => p.endsWith('.bicep'))
      .map((p) => `infra/${p}`);
    assert.ok(bicep.includes('infra/main.bicep') && bicep.length > 1, bicep.join());
    const expected = [
      '.dockerignore',
      'azure.yaml',
      ...bicep,
      'infra/Dockerfile',
      'infra/bicepconfig.json',
      'infra/main.parameters.json',
      'sherpa.mjs',
    ].sort();
    assert.deepEqual(listFiles(folder), expected);
    assert.deepEqual([...written.files].sort(), expected);
    for (const f of ['azure.yaml', ...bicep, 'infra/main.parameters.json', 'infra/bicepconfig.json'])
      assert.equal(readFileSync(join(folder, f), 'utf8'), readFileSync(join(REPO, f), 'utf8'), f);
    // The Dockerfile azure.yaml names is the one without a build stage: it copies the shipped bundle.
    const dockerfile = readFileSync(join(folder, 'infra', 'Dockerfile'), 'utf8');
    assert.equal(dockerfile, readFileSync(join(REPO, PREBUILT_DOCKERFILE), 'utf8'));
    assert.match(readFileSync(join(folder, 'azure.yaml'), 'utf8'), /path: infra\/Dockerfile/);
    assert.deepEqual(
      dockerfile.split('\n').filter((l) => /^(FROM|COPY)\b/.test(l)),
      ['FROM node:24-alpine', 'COPY sherpa.mjs ./sherpa.mjs'],
    );
    assert.equal(readFileSync(join(folder, 'sherpa.mjs'), 'utf8'), bundle);
    assert.match(readFileSync(join(folder, '.dockerignore'), 'utf8'), /^\*\*\n!sherpa\.mjs$/m);
  });

  it("refuses a folder that holds anything, leaving the person's file as it was; --force writes", async () => {
    const folder = join(tmp, 'busy');
    mkdirSync(folder);
    writeFileSync(join(folder, 'azure.yaml'), 'name: mine\n');
    await assert.rejects(
      writeDeploymentProject(installed, folder),
      (e) =>
        isSherpaError(e, 'BAD_ARGUMENT') && /is not empty/.test(e.message) && /--force/.test(e.hint ?? ''),
    );
    assert.deepEqual(listFiles(folder), ['azure.yaml']);
    assert.equal(readFileSync(join(folder, 'azure.yaml'), 'utf8'), 'name: mine\n');
    await writeDeploymentProject(installed, folder, { force: true });
    assert.equal(
      readFileSync(join(folder, 'azure.yaml'), 'utf8'),
      readFileSync(join(REPO, 'azure.yaml'), 'utf8'),
    );
  });

  it('refuses a file as the folder, and the installation itself', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(writeDeploymentProject(installed, file), (e) => isSherpaError(e, 'BAD_ARGUMENT'));
    await assert.rejects(writeDeploymentProject(installed, installed, { force: true }), (e) =>
      isSherpaError(e, 'BAD_ARGUMENT'),
    );
  });

  it('finds the project above the running bundle; says so when the installation lacks it', async () => {
    assert.equal(findDeploymentSource(join(installed, 'dist')), installed);
    assert.equal(findDeploymentSource(join(REPO, 'src', 'cli', 'commands')), REPO);
    assert.throws(
      () => findDeploymentSource(tmp),
      (e) => isSherpaError(e, 'AZURE_NOT_FOUND'),
    );
    const noBundle = join(tmp, 'no-bundle');
    cpSync(join(installed, 'infra'), join(noBundle, 'infra'), { recursive: true });
    cpSync(join(installed, 'azure.yaml'), join(noBundle, 'azure.yaml'));
    await assert.rejects(
      writeDeploymentProject(noBundle, join(tmp, 'out')),
      (e) => isSherpaError(e, 'AZURE_NOT_FOUND') && /npm run build/.test(e.hint ?? ''),
    );
  });
});
