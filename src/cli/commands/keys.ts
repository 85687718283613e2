import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { SherpaError } from '../../core/errors';
import { rotateSigningKeys } from '../../servers/authz/index';
import { print } from '../output';

export const keysUsage = `sherpa keys rotate [--data-dir DIR]
  Adds a new lab signing key (the previous one stays published so issued tokens still verify).`;

export async function runKeysCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' } },
  });
  if (positionals[0] !== 'rotate')
    throw new SherpaError('BAD_ARGUMENT', `Unknown keys action '${positionals[0] ?? ''}'`, {
      hint: keysUsage,
    });
  const dir = resolve(values['data-dir'] ?? process.env.SHERPA_LAB_DIR ?? '.lab');
  const { kid } = await rotateSigningKeys(dir);
  print(`New signing key ${kid} in ${dir}. Restart the lab (or wait for its key reload) to sign with it.`);
  return 0;
}
