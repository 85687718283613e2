/**
 * Sherpa's single output channel. Every line goes through `redact` (src/core/redact.ts) before it is
 * written: a token in a log is a token handed to whoever reads the log (workshop exploit 2.1).
 */
import * as vscode from 'vscode';
import { redact } from '../core/token/redact';
import { formatError } from '../core/errors';

export class SherpaLog implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Sherpa', { log: true });
  }

  info(message: string): void {
    this.channel.info(redact(message));
  }

  warn(message: string): void {
    this.channel.warn(redact(message));
  }

  debug(message: string): void {
    this.channel.debug(redact(message));
  }

  /** Logs an error with its code and hint (SherpaError) or message. */
  error(context: string, err: unknown): void {
    this.channel.error(redact(`${context}: ${formatError(err)}`));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
