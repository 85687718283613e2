/**
 * Per-server trust in `api://…` identifiers (core/client/trusted-apis.ts), the editor half: the modal that
 * offers it when a server's `api://` scope was refused, the user-settings write that records it for that
 * server URL only, and the migration of the old flat list, which grants nothing until the person binds
 * each entry to a server (never silently).
 */
import * as vscode from 'vscode';
import { withTrustedApi } from '../../core/client/trusted-apis';
import { toNotificationText } from '../../core/untrusted-text';
import { readSettings, SETTINGS_SECTION, SettingKeys } from '../settings';
import type { SherpaLog } from '../output-log';
import { apiTrustOfferFor, type ApiTrustOffer, type ConfirmApiTrust } from './api-trust-offer';

/** Default: a modal naming the server and the identifier. */
export const askApiTrust: ConfirmApiTrust = async (offer) => {
  const yes = vscode.l10n.t('Trust for this server');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      "{0} asks for a token for {1} on Entra ID. Trust that API as this server's own?",
      toNotificationText(offer.serverUrl),
      toNotificationText(offer.apiIdentifier),
    ),
    {
      modal: true,
      detail:
        (offer.fromOldList
          ? vscode.l10n.t(
              'Your old setting sherpa.entra.trustedApiIdentifierUris trusted it for every server; trust is now per server and that list grants nothing.',
            ) + ' '
          : '') +
        vscode.l10n.t(
          "Only if you registered that app for this server: VS Code's microsoft provider gives any server that asks for it the token it already holds for that API.",
        ),
    },
    yes,
  );
  return answer === yes;
};

/** Records `offer` in the user's settings (the map, for its server only) and drops it from the old list. */
export async function storeApiTrust(offer: ApiTrustOffer): Promise<void> {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const next = withTrustedApi(readSettings().entraTrustedApis, offer.serverUrl, offer.apiIdentifier);
  await c.update(SettingKeys.entraTrustedApisByServer, next, vscode.ConfigurationTarget.Global);
  if (offer.fromOldList) await dropFromOldList(offer.apiIdentifier);
}

async function dropFromOldList(apiIdentifier: string): Promise<void> {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const old = readSettings().entraOldTrustedApiIdentifierUris;
  const rest = old.filter(
    (u) => u.replace(/\/$/, '').toLowerCase() !== apiIdentifier.replace(/\/$/, '').toLowerCase(),
  );
  await c.update(
    SettingKeys.entraOldTrustedApiIdentifierUris,
    rest.length ? rest : undefined,
    vscode.ConfigurationTarget.Global,
  );
}

/**
 * For the connection manager: after a refusal, asks whether to trust the identifier for this server;
 * true when the person said yes and it is stored (the caller connects again).
 */
export function apiTrustOffers(confirm: ConfirmApiTrust, log: SherpaLog) {
  return async (err: unknown, serverUrl: string): Promise<boolean> => {
    const offer = apiTrustOfferFor(err, serverUrl, readSettings().entraOldTrustedApiIdentifierUris);
    if (!offer || !(await confirm(offer))) return false;
    await storeApiTrust(offer);
    log.info(`Trusting ${offer.apiIdentifier} as the API of ${offer.serverUrl} only (user settings)`);
    return true;
  };
}

/**
 * The old flat list at activation: one prompt per entry, naming the server it would be bound to — the
 * secure server the person configured. Unanswered, it stays and grants nothing; with no configured
 * server, the connect-time offer above names the server that asks.
 */
export async function migrateOldApiTrust(log: SherpaLog): Promise<void> {
  const s = readSettings();
  const server = s.secureServerUrl;
  if (!s.entraOldTrustedApiIdentifierUris.length) return;
  log.warn(
    'sherpa.entra.trustedApiIdentifierUris is no longer used: an api:// identifier is trusted per MCP server (sherpa.entra.trustedApiIdentifiersByServer).',
  );
  if (!server) return;
  for (const apiIdentifier of s.entraOldTrustedApiIdentifierUris) {
    const bind = vscode.l10n.t('Trust for {0}', server);
    const drop = vscode.l10n.t('Remove');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Sherpa trusts api:// identifiers per MCP server now. Bind {0} (from sherpa.entra.trustedApiIdentifierUris, which no longer grants anything) to {1}?',
        toNotificationText(apiIdentifier),
        toNotificationText(server),
      ),
      bind,
      drop,
    );
    if (answer === bind) await storeApiTrust({ serverUrl: server, apiIdentifier, fromOldList: true });
    else if (answer === drop) await dropFromOldList(apiIdentifier);
    else return; // dismissed: ask again next time, and grant nothing meanwhile
  }
}
