import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { SherpaError } from '../../core/errors';
import { print } from '../output';

/** Default publish-ahead time: long enough for a relying party to see the key, short enough to watch. */
const DEFAULT_ACTIVATE_IN_SECONDS = 30;

export const keysUsage = `sherpa keys rotate [--data-dir DIR] [--activate-in SECONDS]
  Adds a new lab signing key the way Entra rolls keys: published at once (a running lab serves it in its
  JWKS within a second, no restart), used for signing only after SECONDS (default ${DEFAULT_ACTIVATE_IN_SECONDS}; 0 = at once).
  The previous key stays published so issued tokens still verify.`;

export async function runKeysCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, 'activate-in': { type: 'string' } },
  });
  if (positionals[0] !== 'rotate')
    throw new SherpaError('BAD_ARGUMENT', `Unknown keys action '${positionals[0] ?? ''}'`, {
      hint: keysUsage,
    });
  const seconds = Number(values['activate-in'] ?? DEFAULT_ACTIVATE_IN_SECONDS);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new SherpaError(
      'BAD_ARGUMENT',
      `--activate-in '${values['activate-in']}' is not a number of seconds`,
      {
        hint: keysUsage,
      },
    );
  const dir = resolve(values['data-dir'] ?? process.env.SHERPA_LAB_DIR ?? '.lab');
  // Loaded here, not at the top: `sherpa --help` must not load the authorization server (oidc-provider).
  const { rotateSigningKeys } = await import('../../servers/authz/index');
  const { kid, activatesAt } = await rotateSigningKeys(dir, { activateInMs: Math.round(seconds * 1000) });
  print(
    seconds === 0
      ? `New signing key ${kid} in ${dir}: a running lab signs with it within a second (a stopped one from its next start).`
      : `New signing key ${kid} in ${dir}: published now, signing from ${new Date(activatesAt).toISOString()} ` +
          `(in ${seconds} s). A running lab follows without a restart; the previous key stays published.`,
  );
  return 0;
}
