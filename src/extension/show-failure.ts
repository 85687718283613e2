/** Every failure notification says what went wrong and what to do (SherpaError/ExtensionError hint). */
import * as vscode from 'vscode';
import { toNotificationText } from '../core/untrusted-text';
import { describeFailure } from './errors';
import type { SherpaLog } from './output-log';

/**
 * Logs the error (redacted) and shows it with its hint; "Show Log" opens the output channel. Does not
 * wait for the notification to be dismissed, so the calling command finishes.
 */
export function showFailure(log: SherpaLog, context: string, err: unknown): string {
  log.error(context, err);
  const f = describeFailure(err);
  // Messages quote what servers said (error_description, names, URLs): no controls, no links.
  const text = toNotificationText(
    `${context}: ${f.message}${f.code ? ` [${f.code}]` : ''}${f.hint ? ` — ${f.hint}` : ''}`,
    1500,
  );
  void vscode.window.showErrorMessage(text, 'Show Log').then((choice) => {
    if (choice === 'Show Log') log.show();
  });
  return text;
}
