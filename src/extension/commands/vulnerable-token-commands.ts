/** Sherpa: Set Vulnerable Server Token… — the static token goes to SecretStorage, never to settings. */
import * as vscode from 'vscode';
import type { SherpaLog } from '../output-log';
import type { VulnerableTokenStore } from '../vulnerable-token';

// registerSecret (src/core/redact.ts) only masks values of 6+ characters; a shorter one could leak.
const MIN_LENGTH = 6;

/**
 * Asks for the token with a masked input box. Empty input removes the stored token (the lab's default
 * applies again); Escape changes nothing. Returns 'stored', 'default' or undefined (cancelled).
 */
export async function setVulnerableTokenCommand(
  store: VulnerableTokenStore,
  serverUrl: string,
  log: SherpaLog,
): Promise<'stored' | 'default' | undefined> {
  const origin = new URL(serverUrl).origin;
  const input = await vscode.window.showInputBox({
    title: vscode.l10n.t('Vulnerable server token for {0}', origin),
    prompt:
      vscode.l10n.t(
        "The static bearer token for {0}, kept in VS Code's secret storage (not in settings) and sent only to that origin. Leave empty to use the local lab's token.",
        origin,
      ) +
      (store.isCustom
        ? ' ' + vscode.l10n.t('A token is stored now (for {0}).', String(store.storedOrigin))
        : ''),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const t = v.trim();
      if (!t) return undefined;
      if (/\s/.test(t)) return vscode.l10n.t('A bearer token has no spaces (RFC 6750 §2.1).');
      return t.length < MIN_LENGTH ? vscode.l10n.t('At least {0} characters.', MIN_LENGTH) : undefined;
    },
  });
  if (input === undefined) return undefined;
  await store.set(input, serverUrl);
  if (store.isCustom) {
    log.info(`Stored a vulnerable-server token for ${origin} in SecretStorage (it is masked in this log)`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Vulnerable server token stored in secret storage for {0}. Connect Vulnerable Server and the MCP definition use it there, and nowhere else.',
        origin,
      ),
    );
    return 'stored';
  }
  log.info("No vulnerable-server token stored: using the local lab's default token");
  void vscode.window.showInformationMessage(
    vscode.l10n.t("Vulnerable server token reset to the local lab's default."),
  );
  return 'default';
}
