/**
 * Redaction for anything that may reach a log or an output channel. Tokens are credentials: a log line
 * that carries one hands it to everyone who can read the log (workshop exploit 2.1, in log form).
 */

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|DPoP)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const SECRET_FIELDS =
  /("?(?:access_token|refresh_token|id_token|client_secret|code_verifier|password|device_code|code)"?\s*[:=]\s*"?)([^"&\s,}]{4,})/gi;

/** Returns `text` with bearer tokens, JWTs and secret-looking fields replaced by a short marker. */
export function redact(text: string): string {
  return text
    .replace(JWT, (jwt) => `<jwt …${jwt.slice(-6)}>`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} <redacted>`)
    .replace(SECRET_FIELDS, (_m, key: string) => `${key}<redacted>`);
}
