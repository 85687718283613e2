/** Every failure notification says what went wrong and what to do (SherpaError/ExtensionError hint). */
import * as vscode from 'vscode';
import { toNotificationText } from '../core/untrusted-text';
import { describeFailure } from './errors';
import type { SherpaLog } from './output-log';

/** A button for the obvious next step after a failure (e.g. Remove Server for a server the person added). */
export interface NextStep {
  title: string;
  run: () => unknown;
}

/**
 * Logs the error (redacted) and shows it with its hint; "Show Log" opens the output channel, `next` (if
 * any) is offered first. Does not wait for the notification to be dismissed, so the calling command finishes.
 */
export function showFailure(log: SherpaLog, context: string, err: unknown, next?: NextStep): string {
  log.error(context, err);
  const text = failureText(context, err);
  const showLog = vscode.l10n.t('Show Log');
  const buttons = next ? [next.title, showLog] : [showLog];
  void vscode.window.showErrorMessage(text, ...buttons).then((choice) => {
    if (choice === showLog) log.show();
    else if (next && choice === next.title) void next.run();
  });
  return text;
}

/** "Context: message [CODE] — hint", made safe for a notification. */
export function failureText(context: string, err: unknown): string {
  const f = describeFailure(err);
  // Messages quote what servers said (error_description, names, URLs): no controls, no links.
  return toNotificationText(
    `${context}: ${f.message}${f.code ? ` [${f.code}]` : ''}${f.hint ? ` — ${f.hint}` : ''}`,
    1500,
  );
}
