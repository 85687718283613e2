/**
 * How an Azure command ends when it does not succeed: a person's Cancel — Escape on a quick pick or an
 * input box, Cancel on a modal or on VS Code's own sign-in — ends it quietly (a line in the log, no
 * notification); a failure is one error notification through `session.ui`, so the extension tests read
 * exactly what a person saw.
 */
import { SherpaError } from '../../core/errors';
import type { SherpaLog } from '../output-log';
import { failureText } from '../show-failure';
import type { AzureUi } from './azure-ui';

const CANCELLED = new Set(['AZURE_CANCELLED', 'SIGN_IN_CANCELLED', 'LOGIN_ABORTED']);

/** True when `err` (or what it wraps: the Azure SDK wraps a credential's error) is a person's Cancel. */
export function isCancellation(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SherpaError && CANCELLED.has(e.code)) return true;
    // vscode.CancellationError, without importing vscode here.
    if (e instanceof Error && e.name === 'Canceled') return true;
  }
  return false;
}

/** Logs `err`; shows it unless it is the person's Cancel. */
export function reportAzureFailure(ui: AzureUi, log: SherpaLog, context: string, err: unknown): void {
  if (isCancellation(err)) {
    log.info(`${context}: cancelled (${err instanceof Error ? err.message : String(err)})`);
    return;
  }
  log.error(`${context} failed`, err);
  void ui
    .notify('error', failureText(`${context} failed`, err), 'Show Log')
    .then((choice) => choice === 'Show Log' && log.show());
}
