/** Every failure notification says what went wrong and what to do (SherpaError/ExtensionError hint). */
import * as vscode from 'vscode';
import { describeFailure } from './errors';
import type { SherpaLog } from './output-log';

/**
 * Logs the error (redacted) and shows it with its hint; "Show Log" opens the output channel. Does not
 * wait for the notification to be dismissed, so the calling command finishes.
 */
export function showFailure(log: SherpaLog, context: string, err: unknown): string {
  log.error(context, err);
  const f = describeFailure(err);
  const text = `${context}: ${f.message}${f.code ? ` [${f.code}]` : ''}${f.hint ? ` — ${f.hint}` : ''}`;
  void vscode.window.showErrorMessage(text, 'Show Log').then((choice) => {
    if (choice === 'Show Log') log.show();
  });
  return text;
}
