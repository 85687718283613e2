/**
 * "Option A" of the workshop: a token from the device authorization grant (RFC 8628) with the Azure CLI's
 * client id, for the Token view. The authorization server is discovered as for the browser flow: the
 * secure server's RFC 9728 metadata names it.
 */
import type { LabIdentity } from '../../lab/lab';
import * as vscode from 'vscode';
import { discoverAuthorizationServer } from '../../core/discovery/as-metadata';
import { startDeviceCodeLogin, type DeviceCodeLogin } from '../../core/grants/device-code';
import { createGuardedFetch, networkPolicyFor } from '../../core/net/guarded-fetch';
import { discoverProtectedResource } from '../../core/discovery/protected-resource';
import { assertServerScopes } from '../../core/client/scope-policy';
import { toNotificationText } from '../../core/untrusted-text';
import { assertOpenableUrl } from '../../core/url';
import type { CustomFetch } from 'openid-client';
import type { SherpaLog } from '../output-log';
import { proxyResolvesNames } from '../settings';
import { buildTokenExpectations } from '../../core/token/token-expectations';
import type { BrowserAddresses } from '../remote/browser-addresses';
import { isEntraIssuer } from '../../core/entra';
import type { ServerId } from './server-target';
import type { TokenState } from './token-state';

/** Shows the user code to the person (the extension tests approve the code themselves instead). */
export type PresentDeviceCode = (login: DeviceCodeLogin, signal: AbortSignal) => void;

export interface DeviceCodeDeps {
  log: SherpaLog;
  tokenState: TokenState;
  /** The server a token is for when run() names none: its id (the Token view's key) and current URL. */
  server: () => { id: ServerId; url: string };
  clientId: () => string;
  /** On Entra: `api://…` identifier URIs the person trusts as the server's API (a machine setting). */
  trustedApiIdentifiers: () => string[];
  labIdentity: () => LabIdentity | undefined;
  /** Opens the verification page at the address the browser can reach (forwarded when remote). */
  browser?: BrowserAddresses;
  /** How the code is shown; default {@link notificationPresenter}. */
  present?: PresentDeviceCode;
}

export class DeviceCodeFlow {
  private readonly present: PresentDeviceCode;

  constructor(private readonly deps: DeviceCodeDeps) {
    this.present = deps.present ?? notificationPresenter(deps.browser);
  }

  /** Signs in for `server` (default: the configured secure server) and puts the token in the Token view. */
  async run(server: { id: ServerId; url: string } = this.deps.server()): Promise<void> {
    const { id: serverId, url } = server;
    const clientId = this.deps.clientId();
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Sherpa: device code sign-in',
        cancellable: true,
      },
      async (progress, cancel) => {
        const abort = new AbortController();
        cancel.onCancellationRequested(() => abort.abort());
        progress.report({ message: 'Reading Protected Resource Metadata (RFC 9728)…' });
        // Everything below is reached through URLs the server named: one policy from the URL configured.
        const metadataFetch = createGuardedFetch(
          await networkPolicyFor(url, { resolve: !proxyResolvesNames() }),
        );
        const prm = await discoverProtectedResource(url, { signal: abort.signal, fetch: metadataFetch });
        const issuer = prm.metadata.authorization_servers[0]!;
        progress.report({ message: `Discovering ${toNotificationText(issuer)} (RFC 8414)…` });
        const as = await discoverAuthorizationServer(issuer, {
          clientId,
          fetch: metadataFetch as CustomFetch,
        });
        const scopes = assertServerScopes(prm.metadata.scopes_supported ?? [], {
          source: 'protected-resource-metadata',
          resource: prm.metadata.resource,
          entra: isEntraIssuer(as.metadata.issuer),
          trustedApiIdentifiers: this.deps.trustedApiIdentifiers(),
        });
        progress.report({ message: 'Requesting a device code (RFC 8628 §3.1)…' });
        const login = await startDeviceCodeLogin({
          config: as.config,
          scopes,
          // Entra rejects a resource that differs from the scope's App ID URI (AADSTS9010010).
          ...(isEntraIssuer(issuer) ? {} : { resource: prm.metadata.resource }),
          signal: abort.signal,
        });
        this.deps.log.info(
          `Device code issued by ${issuer} for client ${clientId}; verification at ${login.verificationUri}`,
        );
        progress.report({
          message: `Enter ${toNotificationText(login.userCode, 40)} at ${toNotificationText(login.verificationUri)} — waiting…`,
        });
        this.present(login, abort.signal);
        try {
          const tokens = await login.tokens;
          const lab = this.deps.labIdentity();
          const fromLab = lab !== undefined && lab.issuer === issuer;
          this.deps.tokenState.set(serverId, {
            accessToken: tokens.accessToken,
            source: `device code (client ${clientId})`,
            serverUrl: url,
            expectations: buildTokenExpectations({
              resource: prm.metadata.resource,
              scopes,
              issuers: prm.metadata.authorization_servers,
              ...(fromLab ? { knownAudiences: [lab.clientId], knownTenants: [lab.tenantId] } : {}),
            }),
          });
          this.deps.log.info('Device code sign-in finished; the token is in the Token view');
        } finally {
          abort.abort(); // closes the code notification loop
        }
      },
    );
  }
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
    const choice = await vscode.window.showInformationMessage(
      `Device sign-in: enter the code ${toNotificationText(login.userCode, 40)} at ${toNotificationText(shown)} (expires in ${Math.round(login.expiresIn / 60)} min).`,
      'Copy Code',
      'Open Browser',
    );
    if (choice === 'Copy Code') await vscode.env.clipboard.writeText(login.userCode);
    else if (choice === 'Open Browser') {
      if (browser) await browser.open(target.href);
      else await vscode.env.openExternal(vscode.Uri.parse(target.href));
    } else return;
  }
}
