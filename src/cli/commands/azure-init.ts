/**
 * `sherpa azure init <folder> [--force]`: the azd project (azure.yaml, infra/, Dockerfile, the server
 * bundle) written into a folder, for anyone without a clone of the repository — then `sherpa azure
 * provision` runs from that folder. The files come from where this CLI is installed.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findDeploymentSource, writeDeploymentProject } from '../../core/azure/deployment-project';
import { SherpaError } from '../../core/errors';
import { toTerminalLine } from '../../core/untrusted-text';
import { print } from '../output';

export async function runAzureInit(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { force: { type: 'boolean', default: false } },
    strict: true,
  });
  const folder = positionals[0];
  if (!folder || positionals.length > 1) {
    throw new SherpaError('BAD_ARGUMENT', 'sherpa azure init takes one folder', {
      hint: 'sherpa azure init <folder> [--force]   (a new or empty folder)',
    });
  }
  // dist/sherpa.mjs (installed or built) or src/cli/commands under tsx: the project sits above either.
  const source = findDeploymentSource(dirname(fileURLToPath(import.meta.url)));
  const written = await writeDeploymentProject(source, folder, { force: values.force });
  for (const f of written.files) print(`✔ ${f}`);
  print(`\nThe deployment project is in ${toTerminalLine(written.folder, 500)}.`);
  print(`Next: cd ${toTerminalLine(written.folder, 500)} && sherpa azure provision`);
  return 0;
}
