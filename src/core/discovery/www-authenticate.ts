/**
 * Parser for the `WWW-Authenticate` response header (RFC 9110 §11.6.1) and the Bearer challenge
 * parameters OAuth adds to it (RFC 6750 §3, RFC 9728 §5.1 `resource_metadata`).
 *
 * Why not the MCP SDK's `extractWWWAuthenticateParams`: it matches each parameter with a regular
 * expression over the whole header, so it cannot tell two challenges apart, does not unescape
 * quoted-pairs and stops a quoted value at the first inner quote. oauth4webapi has a correct parser but
 * does not export it. The grammar is small, so it lives here with thorough unit tests.
 */

export interface AuthChallenge {
  /** Auth scheme as sent (compare case-insensitively, RFC 9110 §11.1). */
  scheme: string;
  /** auth-params with lower-cased names; the first occurrence of a duplicated name wins. */
  params: Record<string, string>;
  /** token68 form (e.g. `Negotiate abc==`), mutually exclusive with params. */
  token68?: string;
}

/** The Bearer challenge fields MCP clients act on (RFC 6750 §3, RFC 9728 §5.1). */
export interface BearerChallenge {
  realm?: string;
  error?: string;
  errorDescription?: string;
  errorUri?: string;
  /** Space-separated scopes the resource needs (RFC 6750 §3; MCP: the scope to request). */
  scope?: string;
  /** RFC 9728 §5.1: where the Protected Resource Metadata lives. */
  resourceMetadata?: string;
  params: Record<string, string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/**
 * Parses a `WWW-Authenticate` value (possibly several header lines joined with ", ", as `Headers.get`
 * does) into its challenges, in order. Malformed parts are skipped rather than thrown: a header is
 * untrusted input and one broken challenge must not hide a good one.
 */
export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (!header) return [];
  const s = header;
  let i = 0;
  const challenges: AuthChallenge[] = [];

  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const skipWsAndCommas = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  // RFC 9110 §5.6.4: quoted-string with backslash quoted-pairs; an unterminated string runs to the end.
  const readQuoted = (): string => {
    let out = '';
    i++; // opening quote
    while (i < s.length) {
      const c = s[i]!;
      if (c === '\\' && i + 1 < s.length) {
        out += s[i + 1];
        i += 2;
      } else if (c === '"') {
        i++;
        break;
      } else {
        out += c;
        i++;
      }
    }
    return out;
  };
  // Skips to just past the next top-level comma (used to recover from garbage).
  const skipToNextComma = () => {
    while (i < s.length && s[i] !== ',') {
      if (s[i] === '"') readQuoted();
      else i++;
    }
  };

  while (true) {
    skipWsAndCommas();
    if (i >= s.length) break;
    const scheme = readToken();
    if (!scheme) {
      skipToNextComma();
      continue;
    }
    const challenge: AuthChallenge = { scheme, params: {} };
    challenges.push(challenge);
    skipWs();

    // token68: a run of token68 characters followed by the end or a comma (not by "=value").
    const t68 = TOKEN68.exec(s.slice(i));
    if (t68) {
      let j = i + t68[0].length;
      while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
      if (j >= s.length || s[j] === ',') {
        // "a=b" never gets here (the run stops before "b"), so this is genuinely token68.
        challenge.token68 = t68[0];
        i = j;
        continue;
      }
    }

    // auth-param list; stops where the next challenge's scheme begins.
    while (true) {
      skipWsAndCommas();
      if (i >= s.length) break;
      const start = i;
      const name = readToken();
      skipWs();
      if (!name || s[i] !== '=') {
        i = start;
        if (!name) skipToNextComma();
        break; // a new challenge (or garbage we skipped)
      }
      i++; // '='
      skipWs();
      const value = s[i] === '"' ? readQuoted() : readToken();
      const key = name.toLowerCase();
      if (!(key in challenge.params)) challenge.params[key] = value;
      skipWs();
      if (i < s.length && s[i] !== ',') skipToNextComma();
    }
  }
  return challenges;
}

/** The first Bearer challenge of a header value, with the OAuth fields pulled out; undefined if none. */
export function findBearerChallenge(header: string | null | undefined): BearerChallenge | undefined {
  const c = parseWwwAuthenticate(header).find((ch) => ch.scheme.toLowerCase() === 'bearer');
  if (!c) return undefined;
  const p = c.params;
  return {
    realm: p.realm,
    error: p.error,
    errorDescription: p.error_description,
    errorUri: p.error_uri,
    scope: p.scope,
    resourceMetadata: p.resource_metadata,
    params: p,
  };
}
