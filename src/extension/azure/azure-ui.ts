/**
 * What the Azure commands show and ask: quick picks, input boxes (password ones for secret values),
 * notification progress and notifications. One small interface so the commands and AzureSession receive
 * their UI through the constructor (as VS Code's microsoft-authentication extension does with its vscode
 * services) — the logic underneath stays the same whoever answers the prompts.
 */
import * as vscode from 'vscode';

export type AzureProgress = vscode.Progress<{ message?: string }>;
export type NotificationKind = 'info' | 'warning' | 'error';

export interface AzureUi {
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  /** A notification with a progress bar; `title` is shown after "Sherpa: ". */
  progress<R>(title: string, run: (p: AzureProgress) => Promise<R>): Thenable<R>;
  /** The same with a Cancel button: pressing it aborts `signal` (the core's long runs take an AbortSignal). */
  cancellableProgress<R>(
    title: string,
    run: (p: AzureProgress, signal: AbortSignal) => Promise<R>,
  ): Thenable<R>;
  /** A folder picker; undefined when the person cancels. */
  pickFolder(options: { title: string; openLabel: string }): Thenable<string | undefined>;
  /** A modal question with one action; true only when the person pressed it (Cancel or Escape: false). */
  confirm(message: string, detail: string, action: string): Thenable<boolean>;
  /** A non-modal notification; resolves to the action pressed, if any (callers never wait for it). */
  notify(kind: NotificationKind, message: string, ...actions: string[]): Thenable<string | undefined>;
}

/** The real UI: vscode.window. */
export const vscodeAzureUi: AzureUi = {
  pick: (items, options) => vscode.window.showQuickPick(items, options),
  input: (options) => vscode.window.showInputBox(options),
  progress: (title, run) =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Sherpa: {0}', title) },
      run,
    ),
  cancellableProgress: (title, run) =>
    vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Sherpa: {0}', title),
        cancellable: true,
      },
      async (p, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        try {
          return await run(p, controller.signal);
        } finally {
          sub.dispose();
        }
      },
    ),
  pickFolder: ({ title, openLabel }) =>
    vscode.window
      .showOpenDialog({
        title,
        openLabel,
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: false,
      })
      .then((uris) => uris?.[0]?.fsPath),
  confirm: (message, detail, action) =>
    vscode.window.showWarningMessage(message, { modal: true, detail }, action).then((c) => c === action),
  notify: (kind, message, ...actions) =>
    kind === 'info'
      ? vscode.window.showInformationMessage(message, ...actions)
      : kind === 'warning'
        ? vscode.window.showWarningMessage(message, ...actions)
        : vscode.window.showErrorMessage(message, ...actions),
};
