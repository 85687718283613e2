/** Getting a real token from the lab (or any issuer) for the CLI: browser or non-interactive lab login. */
import { spawn } from 'node:child_process';
import { discoverAuthorizationServer } from '../core/discovery/as-metadata';
import { loginWithAuthorizationCode } from '../core/grants/authorization-code';
import { assertLoopbackUrl, findLabCredentials, labLoginBrowser } from '../lab/lab-login';
import type { TokenSet } from '../core/token/token-set';
import { toTerminalLine } from '../core/untrusted-text';
import { assertOpenableUrl } from '../core/url';
import { REQUIRED_SCOPE, VSCODE_CLIENT_ID } from '../core/well-known-ids';
import { LAB_OTHER_API_APP_ID_URI } from '../servers/shared/lab-defaults';
import type { LabTarget } from './lab-target';
import type { Configuration } from 'openid-client';
import type { GrantStrategy } from '../core/client/grant-strategy';
import { redirectPortOf } from '../core/grants/strategies';
import { startProgress, type ProgressLine } from './progress';

export interface CliLoginOptions {
  issuer?: string;
  config?: Configuration;
  clientId?: string;
  scopes: string[];
  resource?: string;
  /** Lab user for a non-interactive login (loopback issuers only). */
  user?: string;
  signal?: AbortSignal;
  /** How long the person has to sign in (default core's 5 min). */
  timeoutMs?: number;
  /** The loopback port the client's registered redirect URI names (DCR), if any. */
  redirectPort?: number;
}

/** Authorization code + PKCE; with `user` the CLI fills in the lab's sign-in form itself. */
export async function loginFromCli(o: CliLoginOptions): Promise<TokenSet> {
  // Refuse before discovery: not even the metadata request may go to a non-loopback issuer with --user.
  if (o.user && o.issuer) assertLoopbackUrl(o.issuer);
  const config =
    o.config ??
    (await discoverAuthorizationServer(o.issuer!, { clientId: o.clientId ?? VSCODE_CLIENT_ID })).config;
  if (o.user) assertLoopbackUrl(config.serverMetadata().issuer);
  // The browser's wait line (openInBrowser starts it) ends with the sign-in, whichever way it ends.
  return loginWithAuthorizationCode({
    config,
    scopes: o.scopes,
    ...(o.resource ? { resource: o.resource } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.redirectPort !== undefined ? { redirectPort: o.redirectPort } : {}),
    openBrowser: o.user ? labLoginBrowser(findLabCredentials(o.user)) : openInBrowser,
  }).finally(stopSignInWait);
}

/** A real lab token for the API the secure server protects (scope by App ID URI, as for Entra). */
export function getLabApiToken(lab: LabTarget, user = 'alice'): Promise<TokenSet> {
  return loginFromCli({ issuer: lab.issuer, scopes: [`api://${lab.clientId}/${REQUIRED_SCOPE}`], user });
}

/** A real lab token for the OTHER API: the confused-deputy token (another audience, same issuer). */
export function getOtherApiToken(lab: LabTarget, user = 'alice'): Promise<TokenSet> {
  return loginFromCli({
    issuer: lab.issuer,
    scopes: [`${LAB_OTHER_API_APP_ID_URI}/${REQUIRED_SCOPE}`],
    resource: LAB_OTHER_API_APP_ID_URI,
    user,
  });
}

/**
 * The CLI's grant strategy for the engine (core/client/grant-strategy.ts): the browser sign-in, or with
 * `user` the lab's form filled in by program. `omitResource` leaves out RFC 8707 resource (Entra).
 */
export function cliGrant(
  o: { user?: string; omitResource?: boolean; timeoutMs?: number } = {},
): GrantStrategy {
  return {
    name: o.user ? `lab sign-in as ${o.user}` : 'browser sign-in (authorization code + PKCE)',
    grantTypes: ['authorization_code'],
    getToken: (r) =>
      loginFromCli({
        config: r.config,
        scopes: r.scopes,
        ...(o.omitResource ? {} : { resource: r.resource }),
        ...(o.user ? { user: o.user } : {}),
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        ...redirectPortOf(r),
        ...(r.signal ? { signal: r.signal } : {}),
      }),
  };
}

/**
 * Prints the URL (to stderr: stdout may be piped) and tries the platform's opener. The URL came from a
 * server's metadata, so it is checked (https or loopback http only) and handed to the opener as one
 * argument with no shell in between: `$(…)`, backticks, `|` or `"` in it are just characters of a URL.
 */
export function openInBrowser(url: URL): void {
  const safe = assertOpenableUrl(url);
  process.stderr.write(
    `Open this URL to sign in (waiting for the redirect):\n  ${toTerminalLine(safe.href, 4000)}\n`,
  );
  startSignInWait('waiting for you to sign in in the browser (Ctrl-C cancels)');
  if (process.env.SHERPA_NO_BROWSER === '1') return;
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open', safe.href]
      : process.platform === 'win32'
        ? ['rundll32', 'url.dll,FileProtocolHandler', safe.href]
        : ['xdg-open', safe.href];
  const child = spawn(command!, args, { stdio: 'ignore', detached: true, shell: false });
  child.on('error', () => undefined); // no opener installed: the printed URL is the way
  child.unref();
}

let signInWait: ProgressLine | undefined;

/** The progress line while a person signs in (browser or device code); ended by the next step line. */
export function startSignInWait(label: string): void {
  signInWait?.stop();
  signInWait = startProgress(label);
}

/** Erases the sign-in wait's line, if one is drawn (before anything else is printed). */
export function stopSignInWait(): void {
  signInWait?.stop();
  signInWait = undefined;
}
