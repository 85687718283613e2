// Bundles the three shipped entry points:
//  - dist/extension.cjs  the VS Code extension (CommonJS, `vscode` external: the host provides it)
//  - dist/sherpa.mjs     the CLI and the local lab (ESM; shipped inside the VSIX so the extension can
//                        start the lab with the extension host's own Node)
// Everything else is bundled so the VSIX needs no node_modules.
import * as esbuild from 'esbuild';
import { chmod } from 'node:fs/promises';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
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

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.cjs',
    format: 'cjs',
    external: ['vscode'],
    // When the bundle starts to load: activation time = loading the bundle + activate() (bench).
    banner: { js: 'globalThis.__sherpaLoadStart = performance.now();' },
  },
  {
    ...common,
    entryPoints: ['src/cli/sherpa.ts'],
    outfile: 'dist/sherpa.mjs',
    format: 'esm',
    // CommonJS dependencies inside an ESM bundle still call require(): give them one.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __sherpaCreateRequire } from 'node:module';\nconst require = __sherpaCreateRequire(import.meta.url);",
    },
  },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  await chmod('dist/sherpa.mjs', 0o755);
}
