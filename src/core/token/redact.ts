/**
 * Redaction for anything that may reach a log or an output channel. Tokens are credentials: a log line
 * that carries one hands it to everyone who can read the log (workshop exploit 2.1, in log form).
 */

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// token68 (RFC 9110 §11.2): the credential itself. Not `name=value`, which is a challenge parameter.
const BEARER = /\b(Bearer|DPoP)\s+(?![A-Za-z_]+=[^=\s])[A-Za-z0-9._~+/-]{8,}=*/gi;
const SECRET_FIELDS =
  /("?\b(?:access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|password|device_code|assertion|subject_token)"?\s*[:=]\s*"?)([^"&\s,}]{4,})/gi;
// An authorization code only appears as a query/form parameter; a JSON "code" field is an error code.
const AUTH_CODE_PARAM = /([?&]code=)([^&\s"]{4,})/g;
// The static token of the vulnerable server and other opaque secrets can't be recognised by shape;
// callers that know one register it here so it is masked too.
const known = new Set<string>();

/** Masks this exact value wherever it appears from now on (e.g. a configured static token). */
export function registerSecret(value: string): void {
  if (value.length >= 6) known.add(value);
}

/** Returns `text` with bearer tokens, JWTs and secret-looking fields replaced by a short marker. */
export function redact(text: string): string {
  return text
    .replace(JWT, (jwt) => `<jwt …${jwt.slice(-6)}>`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} <redacted>`)
    .replace(SECRET_FIELDS, (_m, key: string) => `${key}<redacted>`)
    .replace(AUTH_CODE_PARAM, (_m, key: string) => `${key}<redacted>`)
    .replace(/[^\s]+/g, (word) => {
      for (const secret of known) if (word.includes(secret)) word = word.split(secret).join('<redacted>');
      return word;
    });
}
