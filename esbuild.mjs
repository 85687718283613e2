// Bundles the shipped entry points:
//  - dist/extension/extension.mjs + dist/extension/chunks/*.mjs   the VS Code extension (ESM, `vscode`
//                        external: the host resolves it). Split: what activation needs is the entry and the
//                        chunks it imports statically; the Azure, audit, MCP-client and tool-argument code
//                        and their dependencies (@azure/*, undici, the MCP SDK, ajv, re2js) are chunks
//                        reached only through `import()` when a command first needs them (issue 20 §5).
//                        esbuild splits only ESM output, and VS Code loads an ESM `main` natively.
//  - dist/sherpa.mjs     the CLI and the local lab (ESM; shipped inside the VSIX so the extension can
//                        start the lab with the extension host's own Node)
// Everything else is bundled so the VSIX needs no node_modules.
import * as esbuild from 'esbuild';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** CommonJS dependencies inside an ESM bundle still call require(): give every output file one. */
const esmRequire =
  "import { createRequire as __sherpaCreateRequire } from 'node:module';\nconst require = __sherpaCreateRequire(import.meta.url);";

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'linked',
  // Minifying renames classes and functions; oidc-provider looks some up by name, and the minified
  // lab then fails the consent step with invalid_request (found by test/e2e/ui.test.ts). Keep them.
  keepNames: true,
  // jsonc-parser's `main` is a UMD build whose require('./impl/…') calls esbuild cannot follow; its ESM
  // build bundles cleanly. Prefer `module` wherever a package offers one.
  mainFields: ['module', 'main'],
};

/** Where the extension's files go; emptied first so no chunk of an older build ships. */
export const EXTENSION_OUTDIR = 'dist/extension';

/**
 * The extension's build options (also used by test/unit/scripts/activation-bundle.test.ts, which checks
 * what the entry's static imports pull in).
 */
export const extensionBuild = {
  ...common,
  entryPoints: { extension: 'src/extension/extension.ts' },
  outdir: EXTENSION_OUTDIR,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  external: ['vscode'],
  // The bench's "activation-path bytes" are the entry plus its static imports, read from this metafile.
  metafile: true,
  // When the first of the extension's files starts to run: activation time = loading the files +
  // activate() (bench). Every file carries it because ESM runs the imported chunks before the entry.
  banner: { js: `globalThis.__sherpaLoadStart ??= performance.now();\n${esmRequire}` },
};

const builds = [
  extensionBuild,
  {
    ...common,
    entryPoints: ['src/cli/sherpa.ts'],
    outfile: 'dist/sherpa.mjs',
    banner: { js: `#!/usr/bin/env node\n${esmRequire}` },
  },
];

/** The extension build's metafile, beside (not inside) the shipped folder: .vscodeignore leaves it out. */
async function writeMetafile(result) {
  if (result.metafile) await writeFile('dist/extension.meta.json', JSON.stringify(result.metafile));
}

// Imported for its options (the test above): build only when run as the script.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await rm(EXTENSION_OUTDIR, { recursive: true, force: true });
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    const results = await Promise.all(builds.map((b) => esbuild.build(b)));
    await writeMetafile(results[0]);
    await chmod('dist/sherpa.mjs', 0o755);
  }
}
