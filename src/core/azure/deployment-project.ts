/**
 * The azd project for someone with no clone of this repository (the extension from the Marketplace, the
 * CLI from npm): azure.yaml, the Bicep under infra/, a Dockerfile and the prebuilt server bundle, written
 * into a folder they pick, so `azd provision` / `azd deploy` (and Sherpa's Provision) run from there.
 *
 * The files come from where Sherpa is installed — the VSIX and the CLI package carry them (.vscodeignore,
 * scripts/pack-cli.mjs) — so the project written is exactly the one this version of Sherpa was tested
 * with (test/infra compiles it with the Bicep CLI). Its Dockerfile has no build stage: the image copies
 * the bundle that ships next to azure.yaml instead of building it from sources that are not there.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SherpaError } from '../errors';

/** A file of the written project: its path there, and where it comes from in the installed Sherpa. */
export interface ProjectFile {
  /** Path in the written project, `/`-separated. */
  path: string;
  /** Absolute path it is copied from; undefined for `text`. */
  from?: string;
  text?: string;
}

/** The written Dockerfile's source in the installed Sherpa: infra/Dockerfile without its build stage. */
export const PREBUILT_DOCKERFILE = 'infra/prebuilt.Dockerfile';
/** The bundle the image runs, as built by esbuild.mjs. */
export const SERVER_BUNDLE = 'dist/sherpa.mjs';

// azd builds with the project folder as the Docker context (azure.yaml `context: .`): only the bundle
// needs to reach the builder — not .azure/ (azd's environment files) or anything else in the folder.
const DOCKERIGNORE = '# Only the server bundle goes into the image (infra/Dockerfile).\n**\n!sherpa.mjs\n';

/**
 * Where the project's files are in an installed Sherpa: the first folder holding azure.yaml and
 * infra/main.bicep at or above `start` (the extension's folder; the folder of the running CLI bundle).
 */
export function findDeploymentSource(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'azure.yaml')) && existsSync(join(dir, 'infra', 'main.bicep'))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new SherpaError(
    'AZURE_NOT_FOUND',
    'This installation of Sherpa does not carry the deployment project',
    {
      hint: 'Reinstall Sherpa (the extension from the Marketplace or the CLI from npm), or run from a clone of its repository.',
      details: { start },
    },
  );
}

/** The files of the project, read from the installed Sherpa at `source` (findDeploymentSource). */
export async function deploymentProjectFiles(source: string): Promise<ProjectFile[]> {
  const bundle = join(source, SERVER_BUNDLE);
  if (!existsSync(bundle)) {
    throw new SherpaError('AZURE_NOT_FOUND', `The server bundle ${SERVER_BUNDLE} is missing`, {
      hint: 'In a clone of the repository, run `npm run build` first.',
    });
  }
  const infra = join(source, 'infra');
  const bicep = (await readdir(infra, { recursive: true }))
    .map((p) => p.split(sep).join('/'))
    .filter((p) => p.endsWith('.bicep'))
    .sort();
  return [
    { path: 'azure.yaml', from: join(source, 'azure.yaml') },
    ...bicep.map((p) => ({ path: `infra/${p}`, from: join(infra, ...p.split('/')) })),
    { path: 'infra/main.parameters.json', from: join(infra, 'main.parameters.json') },
    { path: 'infra/bicepconfig.json', from: join(infra, 'bicepconfig.json') },
    { path: 'infra/Dockerfile', from: join(source, ...PREBUILT_DOCKERFILE.split('/')) },
    { path: '.dockerignore', text: DOCKERIGNORE },
    { path: 'sherpa.mjs', from: bundle },
  ];
}

export interface WriteProjectOptions {
  /** Write into a folder that already holds files (files of the same name are replaced). */
  force?: boolean;
}

export interface WrittenProject {
  folder: string;
  /** Paths written, relative to `folder`, `/`-separated. */
  files: string[];
}

/**
 * Writes the project into `folder` (created if missing). A folder that holds anything is refused unless
 * `force`: a person's files are never replaced without their say-so.
 */
export async function writeDeploymentProject(
  source: string,
  folder: string,
  o: WriteProjectOptions = {},
): Promise<WrittenProject> {
  const target = resolve(folder);
  const files = await deploymentProjectFiles(source);
  const existing = await listFolder(target);
  if (existing === 'not-a-folder') {
    throw new SherpaError('BAD_ARGUMENT', `${target} is a file, not a folder`, {
      hint: 'Pick a new or empty folder for the deployment project.',
    });
  }
  if (existing.length && !o.force) {
    throw new SherpaError('BAD_ARGUMENT', `${target} is not empty`, {
      hint: 'Pick a new or empty folder, or write anyway with --force (files with the same names are replaced).',
      details: { existing: existing.slice(0, 10) },
    });
  }
  if (relative(source, target) === '') {
    throw new SherpaError('BAD_ARGUMENT', 'That folder is where Sherpa itself is installed', {
      hint: 'Pick a new or empty folder for the deployment project.',
    });
  }
  for (const f of files) {
    const to = join(target, ...f.path.split('/'));
    await mkdir(dirname(to), { recursive: true });
    if (f.from) await copyFile(f.from, to);
    else await writeFile(to, f.text ?? '');
  }
  return { folder: target, files: files.map((f) => f.path) };
}

/** The entries of `folder`; [] when it does not exist yet. */
async function listFolder(folder: string): Promise<string[] | 'not-a-folder'> {
  try {
    if (!(await stat(folder)).isDirectory()) return 'not-a-folder';
  } catch {
    return [];
  }
  return readdir(folder);
}
