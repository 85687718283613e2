/**
 * Errors raised by the extension's own edges (lab process, UI flow): core's SherpaError with codes that
 * only make sense inside VS Code.
 */
import { SherpaError } from '../core/errors';

export type ExtensionErrorCode =
  | 'LAB_START_FAILED'
  | 'LAB_NOT_RUNNING'
  | 'NOT_CONNECTED'
  | 'UNKNOWN_SERVER'
  | 'SIGN_IN_CANCELLED'
  | 'NO_SESSION'
  | 'AUDIT_CANCELLED';

/** The next step when nothing listens at a lab address: the editor's command, where the CLI says `sherpa lab`. */
export const START_LOCAL_LAB_STEP =
  'Is the server running? Start the local lab with "Sherpa Lab: Start Local Lab".';

/** A SherpaError with a code that only makes sense inside VS Code. */
export class ExtensionError extends SherpaError<ExtensionErrorCode> {
  override readonly name = 'ExtensionError';
}

/** What went wrong and what to do, for a notification: "message [CODE] — hint". */
export function describeFailure(err: unknown): { code?: string; message: string; hint?: string } {
  if (err instanceof SherpaError) {
    return { code: err.code, message: err.message, hint: err.hint };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

/** Error code of a SherpaError or ExtensionError (undefined for anything else). */
export function errorCode(err: unknown): string | undefined {
  return err instanceof SherpaError ? err.code : undefined;
}
