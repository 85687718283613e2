/**
 * Keeps the azd environment in step with what `sherpa azure configure` set on the app: infra/main.bicep
 * reads SHERPA_API_CLIENT_ID from the azd environment (main.parameters.json `${SHERPA_API_CLIENT_ID=}`), so
 * without it a later `azd provision` would deploy the secure app without its client id again and put it
 * back into the awaiting-configuration state. The same for SHERPA_SCOPES_SUPPORTED (`${SHERPA_SCOPES_SUPPORTED=}`):
 * the api:// scope configure advertises when Entra refused the server URL as an identifier URI — set to
 * that value, or emptied when no fallback is needed, so re-provisioning neither drops nor resurrects it. `azd env set` runs through the tool runner: argv, no shell
 * on POSIX; the value is a validated GUID, so nothing a Windows `.cmd` shim could read as syntax.
 */
import { SherpaError } from '../errors';
import type { ToolRunner } from './tool-runner';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AzdEnvOutcome = { saved: true } | { saved: false; reason: string };

/** The only value SHERPA_SCOPES_SUPPORTED takes: configure's fallback scope, or '' (none). */
const FALLBACK_SCOPE = /^(api:\/\/[0-9a-f-]{36}\/[A-Za-z_.]+)?$/i;

export async function saveApiClientIdInAzdEnv(
  run: ToolRunner,
  apiClientId: string,
  o: { scopesSupported?: string } = {},
): Promise<AzdEnvOutcome> {
  if (!GUID.test(apiClientId))
    throw new SherpaError('BAD_ARGUMENT', 'the API client id must be a GUID', {
      hint: 'Use the appId `sherpa azure register` printed.',
    });
  const scopes = o.scopesSupported ?? '';
  if (!FALLBACK_SCOPE.test(scopes))
    throw new SherpaError('BAD_ARGUMENT', 'SHERPA_SCOPES_SUPPORTED must be api://{GUID}/{scope} or empty');
  for (const [name, value] of [
    ['SHERPA_API_CLIENT_ID', apiClientId],
    ['SHERPA_SCOPES_SUPPORTED', scopes],
  ] as const) {
    const r = await run('azd', ['env', 'set', name, value]);
    if (r === 'missing') return { saved: false, reason: 'azd is not on PATH' };
    if (r.code !== 0) {
      const line = (r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.code}`;
      return { saved: false, reason: `azd env set ${name} failed: ${line}` };
    }
  }
  return { saved: true };
}

/** One line for the CLI and the notification: what happened to the azd environment. */
export function describeAzdEnvOutcome(o: AzdEnvOutcome, apiClientId: string, scopesSupported = ''): string {
  return o.saved
    ? 'azd environment: SHERPA_API_CLIENT_ID and SHERPA_SCOPES_SUPPORTED saved (a later azd provision keeps them).'
    : `azd environment not updated (${o.reason}): run \`azd env set SHERPA_API_CLIENT_ID ${apiClientId}\` and \`azd env set SHERPA_SCOPES_SUPPORTED "${scopesSupported}"\` in the project folder, or a later azd provision removes them.`;
}
