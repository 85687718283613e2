/**
 * "Option A" of the workshop: the device authorization grant (RFC 8628) as the engine's grant strategy,
 * so Sign In with Device Code runs the same 401 → PRM → AS metadata → client → token → MCP as every other
 * connect (core/client/connect-server.ts) — only the token comes from a code the person enters on the
 * sign-in page instead of a browser redirect back to VS Code.
 */
import * as vscode from 'vscode';
import type { GrantStrategy } from '../../core/client/grant-strategy';
import { isEntraIssuer } from '../../core/entra';
import type { DeviceCodeLogin } from '../../core/grants/device-code';
import { deviceCodeGrant } from '../../core/grants/strategies';
import { toNotificationText } from '../../core/untrusted-text';
import { assertOpenableUrl } from '../../core/url';
import type { SherpaLog } from '../output-log';
import type { BrowserAddresses } from '../remote/browser-addresses';

/** Shows the user code to the person until `signal` aborts (the token arrived or the flow ended). */
export type PresentDeviceCode = (login: DeviceCodeLogin, signal: AbortSignal) => void;

/**
 * The device code grant for the engine. Entra gets no RFC 8707 `resource` (AADSTS9010010: it must equal
 * the scope's App ID URI); every other authorization server does. The code is shown through `present`
 * while the grant polls (RFC 8628 §3.4), and taken down once it ends.
 */
export function deviceCodeStrategy(present: PresentDeviceCode, log: SherpaLog): GrantStrategy {
  return {
    name: 'device code (RFC 8628)',
    grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'],
    getToken: async (request) => {
      const done = new AbortController();
      const grant = deviceCodeGrant({
        omitResource: isEntraIssuer(request.issuer),
        show: (login) => {
          log.info(
            `Device code issued by ${request.issuer} for client ${request.client.clientId}; verification at ${login.verificationUri}`,
          );
          if (login.phishingWarning) log.warn(`Device code: ${login.phishingWarning}`);
          present(login, done.signal);
        },
      });
      try {
        return await grant.getToken(request);
      } finally {
        done.abort(); // closes the code notification loop
      }
    },
  };
}

/**
 * The default way to show a device code: a notification with Copy Code and Open Browser, repeated until
 * the flow ends (`signal`) or the person dismisses it.
 */
export function notificationPresenter(browser?: BrowserAddresses): PresentDeviceCode {
  return (login, signal) => void showCode(login, signal, browser);
}

async function showCode(
  login: DeviceCodeLogin,
  signal: AbortSignal,
  browser?: BrowserAddresses,
): Promise<void> {
  // Core checked both URIs (https or loopback http); checked again at the point of opening.
  const target = assertOpenableUrl(login.verificationUriComplete ?? login.verificationUri);
  // A remote browser types the forwarded address, not the extension host's loopback one.
  const shown = browser ? await browser.forBrowser(login.verificationUri) : login.verificationUri;
  while (!signal.aborted) {
    // Another host than the issuer's is how device-code phishing looks: a warning, not an info line.
    const text =
      vscode.l10n.t(
        'Device sign-in: enter the code {0} at {1} (expires in {2} min).',
        toNotificationText(login.userCode, 40),
        toNotificationText(shown),
        Math.round(login.expiresIn / 60),
      ) + (login.phishingWarning ? ` ⚠ ${toNotificationText(login.phishingWarning)}` : '');
    const copy = vscode.l10n.t('Copy Code');
    const open = vscode.l10n.t('Open Browser');
    const choice = await (login.phishingWarning
      ? vscode.window.showWarningMessage(text, copy, open)
      : vscode.window.showInformationMessage(text, copy, open));
    if (choice === copy) await vscode.env.clipboard.writeText(login.userCode);
    else if (choice === open) {
      if (browser) await browser.open(target.href);
      else await vscode.env.openExternal(vscode.Uri.parse(target.href));
    } else return;
  }
}
