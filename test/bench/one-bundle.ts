/**
 * The extension as it shipped before issue 20 §5 split it: the same source in ONE CommonJS file that
 * VS Code loads whole at activation (every `import()` inlined). Built next to the split VSIX in the same
 * bench run, so "before" and "after" are measured on the same code, machine and load.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../../scripts/tools-manifest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { extensionBuild } from '../../esbuild.mjs';

const run = promisify(execFile);

/** Builds `<dir>/sherpa-one-bundle.vsix`; dist/sherpa.mjs must be built already (`npm run package`). */
export async function packageOneBundle(dir: string): Promise<{ vsix: string; bundleBytes: number }> {
  const root = join(dir, 'one-bundle');
  await mkdir(join(root, 'dist'), { recursive: true });
  const split = extensionBuild as esbuild.BuildOptions;
  const bundle = join(root, 'dist', 'extension.cjs');
  await esbuild.build({
    ...split,
    entryPoints: ['src/extension/extension.ts'],
    absWorkingDir: REPO_ROOT,
    format: 'cjs',
    splitting: false,
    outdir: undefined,
    outfile: bundle,
    outExtension: undefined,
    chunkNames: undefined,
    metafile: false,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    banner: { js: 'globalThis.__sherpaLoadStart ??= performance.now();' },
  });
  const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ ...manifest, main: './dist/extension.cjs', scripts: {} }, null, 2),
  );
  for (const f of ['package.nls.json', 'README.md', 'LICENSE', 'media', 'dist/sherpa.mjs'])
    await cp(join(REPO_ROOT, f), join(root, f), { recursive: true });
  await writeFile(
    join(root, '.vscodeignore'),
    '**\n!dist/**\n!media/**\n!package.json\n!package.nls.json\n!README.md\n!LICENSE\n',
  );
  const vsix = join(dir, 'sherpa-one-bundle.vsix');
  await run(
    join(REPO_ROOT, 'node_modules', '.bin', 'vsce'),
    ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  return { vsix, bundleBytes: (await stat(bundle)).size };
}
