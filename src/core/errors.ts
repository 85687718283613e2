import { toTerminalLine } from './untrusted-text';

/**
 * Errors with a stable `code` (for tests, telemetry and UI branching) and a `hint` that tells the person
 * what to do next. Messages may change; codes may not.
 */
export type SherpaErrorCode =
  | 'BAD_ARGUMENT'
  | 'SERVER_UNREACHABLE'
  | 'UNEXPECTED_STATUS'
  | 'NO_CHALLENGE'
  | 'PRM_NOT_FOUND'
  | 'PRM_INVALID'
  | 'PRM_RESOURCE_MISMATCH'
  | 'AS_METADATA_INVALID'
  | 'AS_ISSUER_MISMATCH'
  | 'INSECURE_TRANSPORT'
  | 'STATE_MISMATCH'
  | 'AUTHORIZATION_DENIED'
  | 'LOGIN_TIMEOUT'
  | 'LOGIN_ABORTED'
  | 'LOGIN_FAILED'
  | 'INVALID_CREDENTIALS'
  | 'TOKEN_REQUEST_FAILED'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'UNAUTHORIZED'
  | 'INSUFFICIENT_SCOPE'
  | 'FORBIDDEN'
  | 'MCP_ERROR'
  | 'MCP_TIMEOUT'
  | 'NOT_LOOPBACK'
  | 'DEVICE_CODE_EXPIRED'
  | 'CLIENT_REGISTRATION_FAILED'
  | 'NO_CLIENT_REGISTRATION'
  | 'CLIENT_AUTH_UNSUPPORTED'
  | 'AUTH_RETRY_LIMIT'
  | 'PORT_IN_USE'
  | 'PORT_NOT_ALLOWED'
  | 'SETTING_MISSING'
  | 'SETTING_INVALID'
  | 'SERVER_OPTIONS_INVALID'
  | 'SIGNING_KEYS_UNREADABLE'
  | 'DATA_DIR_UNSAFE'
  | 'ISSUER_METADATA_INVALID'
  | 'UNSAFE_URL'
  | 'UNSAFE_REDIRECT'
  | 'RESPONSE_TOO_LARGE'
  | 'UNTRUSTED_SCOPE'
  | 'RESOURCE_SCOPE_MISSING'
  | 'ENTRA_REFUSED'
  | 'AZURE_SIGN_IN_REQUIRED'
  | 'AZURE_FORBIDDEN'
  | 'AZURE_NOT_FOUND'
  | 'AZURE_REQUEST_FAILED'
  | 'AZURE_PREFLIGHT_FAILED'
  | 'AZURE_RBAC_PROPAGATION_TIMEOUT'
  | 'AZURE_TOOL_FAILED'
  | 'AZURE_CANCELLED';

/**
 * An error with a stable `code` and a `hint` saying what to do. `C` lets an edge (the extension) add codes
 * of its own without a second error class.
 */
export class SherpaError<C extends string = SherpaErrorCode> extends Error {
  readonly code: C;
  readonly hint?: string;
  /** Structured extras (e.g. the parsed challenge, the scope a 403 asked for). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: C,
    message: string,
    options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SherpaError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** True when `err` is a SherpaError, optionally with the given code. */
export function isSherpaError(err: unknown, code?: SherpaErrorCode): err is SherpaError {
  return err instanceof SherpaError && (code === undefined || err.code === code);
}

/**
 * One line for a terminal: the message, then the hint (if any) on how to fix it. Messages quote what
 * servers said (error_description, URLs), so both lines are made printable (untrusted-text.ts).
 */
export function formatError(err: unknown): string {
  if (err instanceof SherpaError) {
    return (
      `${toTerminalLine(err.message, 2000)} [${err.code}]` +
      (err.hint ? `\n  → ${toTerminalLine(err.hint, 2000)}` : '')
    );
  }
  return toTerminalLine(err instanceof Error ? err.message : String(err), 2000);
}
