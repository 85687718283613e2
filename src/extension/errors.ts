/**
 * Errors raised by the extension's own edges (lab process, UI flow). Same shape as core's SherpaError —
 * stable `code`, `hint` saying what to do — with codes that only make sense inside VS Code.
 */
import { SherpaError } from '../core/errors';

export type ExtensionErrorCode =
  | 'LAB_START_FAILED'
  | 'LAB_NOT_RUNNING'
  | 'NOT_CONNECTED'
  | 'SIGN_IN_CANCELLED'
  | 'CONNECT_CANCELLED'
  | 'NO_SESSION';

export class ExtensionError extends Error {
  readonly code: ExtensionErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    code: ExtensionErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExtensionError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** What went wrong and what to do, for a notification: "message [CODE] — hint". */
export function describeFailure(err: unknown): { code?: string; message: string; hint?: string } {
  if (err instanceof SherpaError || err instanceof ExtensionError) {
    return { code: err.code, message: err.message, hint: err.hint };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

/** Error code of a SherpaError or ExtensionError (undefined for anything else). */
export function errorCode(err: unknown): string | undefined {
  return err instanceof SherpaError || err instanceof ExtensionError ? err.code : undefined;
}
