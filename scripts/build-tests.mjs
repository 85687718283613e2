#!/usr/bin/env node
// Bundles the extension test suite for a real extension host (code-server or @vscode/test-electron):
//   test/vscode/suite/index.ts → out/test/vscode/suite/index.cjs
// CommonJS like the extension itself; `vscode` comes from the host, `mocha` is resolved from the
// repo's node_modules at run time (bundling it would break its dynamic reporter loading).
// esbuild.mjs's own builds are left alone; this script only adds the test bundle.
import * as esbuild from 'esbuild';

export const SUITE_OUTFILE = 'out/test/vscode/suite/index.cjs';

await esbuild.build({
  entryPoints: ['test/vscode/suite/index.ts'],
  outfile: SUITE_OUTFILE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
