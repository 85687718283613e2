/**
 * Keeps the azd environment in step with what `sherpa azure configure` set on the app: infra/main.bicep
 * reads SHERPA_API_CLIENT_ID from the azd environment (main.parameters.json `${SHERPA_API_CLIENT_ID=}`), so
 * without it a later `azd provision` would deploy the secure app without its client id again and put it
 * back into the awaiting-configuration state. `azd env set` runs through the tool runner: argv, no shell
 * on POSIX; the value is a validated GUID, so nothing a Windows `.cmd` shim could read as syntax.
 */
import { SherpaError } from '../errors';
import type { ToolRunner } from './tool-runner';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AzdEnvOutcome = { saved: true } | { saved: false; reason: string };

export async function saveApiClientIdInAzdEnv(run: ToolRunner, apiClientId: string): Promise<AzdEnvOutcome> {
  if (!GUID.test(apiClientId))
    throw new SherpaError('BAD_ARGUMENT', 'the API client id must be a GUID', {
      hint: 'Use the appId `sherpa azure register` printed.',
    });
  const r = await run('azd', ['env', 'set', 'SHERPA_API_CLIENT_ID', apiClientId]);
  if (r === 'missing') return { saved: false, reason: 'azd is not on PATH' };
  if (r.code !== 0) {
    const line = (r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.code}`;
    return { saved: false, reason: `azd env set failed: ${line}` };
  }
  return { saved: true };
}

/** One line for the CLI and the notification: what happened to the azd environment. */
export function describeAzdEnvOutcome(o: AzdEnvOutcome, apiClientId: string): string {
  return o.saved
    ? 'azd environment: SHERPA_API_CLIENT_ID saved (a later azd provision keeps it).'
    : `azd environment not updated (${o.reason}): run \`azd env set SHERPA_API_CLIENT_ID ${apiClientId}\` in the project folder, or a later azd provision removes it.`;
}
