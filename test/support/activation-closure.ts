/**
 * What VS Code loads to activate Sherpa: the extension's entry file and every chunk it imports
 * statically, transitively (esbuild.mjs splits the extension; chunks reached only through `import()`
 * load when a command first needs them). Read from the build's metafile, so the bench and the bundle's
 * structural test agree on one definition.
 */
import type { Metafile } from 'esbuild';

export interface ActivationClosure {
  /** Output files loaded at activation, entry first. */
  files: string[];
  /** Their total size in bytes. */
  bytes: number;
  /** The source files (node_modules paths included) bundled into those outputs. */
  inputs: string[];
  /** Bytes of every output file of the extension build (.mjs only), lazy chunks included. */
  allBytes: number;
}

export function activationClosure(meta: Metafile, entry: string): ActivationClosure {
  const outputs = meta.outputs;
  if (!outputs[entry]) throw new Error(`${entry} is not an output of this build`);
  const files: string[] = [];
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    if (files.includes(file)) continue;
    files.push(file);
    for (const imp of outputs[file]?.imports ?? []) {
      // Static imports of another output file; `vscode` and node: builtins are external.
      if (imp.kind === 'import-statement' && !imp.external && outputs[imp.path]) queue.push(imp.path);
    }
  }
  const js = Object.entries(outputs).filter(([name]) => name.endsWith('.mjs'));
  return {
    files,
    bytes: files.reduce((n, f) => n + outputs[f]!.bytes, 0),
    inputs: files.flatMap((f) => Object.keys(outputs[f]!.inputs)),
    allBytes: js.reduce((n, [, o]) => n + o.bytes, 0),
  };
}
