/**
 * The Azure commands' UI for the extension tests, installed through the test hooks
 * (`api.setTestHooks({ azureUi })`, src/extension/test-hooks.ts). An extension test host has nobody to answer a quick pick or an input
 * box, so this answers them from a script — as a person would: an input box's own `validateInput` is run
 * on every typed value and a rejected value is retyped from the script. Progress and notifications go to
 * the real UI (they need no answer) and are recorded, so a test can read exactly what a person saw.
 */
import type * as vscode from 'vscode';
import type { AzureProgress, AzureUi, NotificationKind } from '../../../src/extension/azure/azure-ui';

/**
 * One scripted answer: a quick-pick item (by label), typed values (tried in order), a folder chosen in the
 * folder picker, a modal's button pressed or not, or Escape (any prompt).
 */
export type Answer =
  { pick: string } | { type: string[] } | { folder: string } | { confirm: boolean } | { escape: true };

export interface ShownPrompt {
  kind: 'pick' | 'input' | 'folder' | 'confirm';
  title: string;
  /** Quick-pick items as `label — description`. */
  items: string[];
  password: boolean;
  /** Values the input box's validation refused, with its message. */
  rejected: { value: string; message: string }[];
}

export class ScriptedAzureUi implements AzureUi {
  readonly prompts: ShownPrompt[] = [];
  readonly progressTitles: string[] = [];
  readonly progressMessages: string[] = [];
  readonly notifications: { kind: NotificationKind; message: string }[] = [];
  private answers: Answer[] = [];

  constructor(private readonly real: AzureUi) {}

  /** Queues the answers for the next prompts and forgets what was recorded so far. */
  script(...answers: Answer[]): this {
    this.answers = answers;
    this.prompts.length = 0;
    this.progressTitles.length = 0;
    this.progressMessages.length = 0;
    this.notifications.length = 0;
    return this;
  }

  /** Answers left unused: a test asserts it is empty (every scripted prompt was really asked). */
  get unanswered(): Answer[] {
    return this.answers;
  }

  /** Everything shown as text, for "this value never appeared" assertions. */
  shownText(): string {
    return [
      ...this.prompts.map((p) => `${p.title} ${p.items.join(' ')}`),
      ...this.progressTitles,
      ...this.progressMessages,
      ...this.notifications.map((n) => n.message),
    ].join('\n');
  }

  async pick<T extends vscode.QuickPickItem>(
    items: T[],
    options: vscode.QuickPickOptions,
  ): Promise<T | undefined> {
    const shown: ShownPrompt = {
      kind: 'pick',
      title: options.title ?? '',
      items: items.map((i) => (i.description ? `${i.label} — ${i.description}` : i.label)),
      password: false,
      rejected: [],
    };
    this.prompts.push(shown);
    const a = this.next(shown);
    if ('escape' in a) return undefined;
    if (!('pick' in a)) throw new Error(`a quick pick (${shown.title}) was shown where the script types`);
    const item = items.find((i) => i.label === a.pick);
    if (!item) throw new Error(`no item "${a.pick}" in ${shown.title}: ${shown.items.join(' | ')}`);
    return item;
  }

  async input(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const shown: ShownPrompt = {
      kind: 'input',
      title: `${options.title ?? ''}${options.prompt ? ` — ${options.prompt}` : ''}`,
      items: [],
      password: options.password === true,
      rejected: [],
    };
    this.prompts.push(shown);
    const a = this.next(shown);
    if ('escape' in a) return undefined;
    if (!('type' in a)) throw new Error(`an input box (${shown.title}) was shown where the script picks`);
    for (const value of a.type) {
      const verdict = await options.validateInput?.(value);
      const message = typeof verdict === 'string' ? verdict : verdict?.message;
      if (!message) return value;
      shown.rejected.push({ value, message });
    }
    throw new Error(`every scripted value was refused by ${shown.title}`);
  }

  async pickFolder(options: { title: string; openLabel: string }): Promise<string | undefined> {
    const shown: ShownPrompt = {
      kind: 'folder',
      title: options.title,
      items: [],
      password: false,
      rejected: [],
    };
    this.prompts.push(shown);
    const a = this.next(shown);
    if ('escape' in a) return undefined;
    if (!('folder' in a))
      throw new Error(`a folder picker (${shown.title}) was shown where the script answers otherwise`);
    return a.folder;
  }

  async confirm(message: string, detail: string, action: string): Promise<boolean> {
    const shown: ShownPrompt = {
      kind: 'confirm',
      title: message,
      items: [detail, action],
      password: false,
      rejected: [],
    };
    this.prompts.push(shown);
    const a = this.next(shown);
    if ('escape' in a) return false;
    if (!('confirm' in a))
      throw new Error(`a modal (${message}) was shown where the script answers otherwise`);
    return a.confirm;
  }

  progress<R>(title: string, run: (p: AzureProgress) => Promise<R>): Thenable<R> {
    this.progressTitles.push(title);
    return this.real.progress(title, (p) =>
      run({
        report: (v) => {
          if (v.message) this.progressMessages.push(v.message);
          p.report(v);
        },
      }),
    );
  }

  /** A progress message matching this presses the notification's Cancel (once). */
  cancelOn?: RegExp;

  cancellableProgress<R>(
    title: string,
    run: (p: AzureProgress, signal: AbortSignal) => Promise<R>,
  ): Thenable<R> {
    this.progressTitles.push(title);
    const controller = new AbortController();
    return this.real.progress(title, (p) =>
      run(
        {
          report: (v) => {
            if (v.message) this.progressMessages.push(v.message);
            if (v.message && this.cancelOn?.test(v.message)) {
              this.cancelOn = undefined;
              controller.abort();
            }
            p.report(v);
          },
        },
        controller.signal,
      ),
    );
  }

  notify(kind: NotificationKind, message: string, ...actions: string[]): Thenable<string | undefined> {
    this.notifications.push({ kind, message });
    return this.real.notify(kind, message, ...actions);
  }

  private next(shown: ShownPrompt): Answer {
    const a = this.answers.shift();
    if (!a) throw new Error(`unscripted prompt: ${shown.title}`);
    return a;
  }
}
