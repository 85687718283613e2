/**
 * The evidence bundle (`sherpa audit --evidence-dir`): every HTTP exchange an audit made — the probes of
 * the target (probe.ts) and every URL the server named (the guarded fetch, through its policy's
 * `observe`) — kept so that a finding can be reproduced and shown to the server's owner.
 *
 * Everything is redacted as it is recorded, never later: credentials in headers (Authorization,
 * Proxy-Authorization, Cookie, Set-Cookie, anything named like a key or token), OAuth secrets in URLs,
 * forms and JSON (access/refresh/id tokens, client secrets, authorization codes — RFC 6749 §4.1.2,
 * §5.1), any JWT anywhere (RFC 7519 §3: three or five base64url parts, `alg: none` ones too), and the
 * exact values of the tokens the person gave. Bodies are cut to a bound after redaction, so a cut never
 * leaves half a token behind.
 */
import { redact } from '../token/redact';
import type { Evidence } from './findings';

/** One request as it went out and what came back, before redaction. */
export interface RawExchange {
  via: 'probe' | 'guarded-fetch';
  method: string;
  url: string;
  requestHeaders: Record<string, string | string[]>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  /** Why no response was read (refused by the guard, timeout, connection refused …). */
  error?: string;
  /** A label for a verbatim Authorization value (a malformed bearer), shown instead of the value. */
  authorizationLabel?: string;
}

/** A recorded exchange, redacted; what goes into the bundle. */
export interface RecordedExchange {
  id: string;
  via: RawExchange['via'];
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body?: string };
  error?: string;
  /** True when a body was cut to the bound. */
  truncated?: boolean;
  /** The request as a curl command line, secrets left as `<redacted>` for the reader to fill in. */
  curl: string;
}

/** Which exchanges decided a finding. */
export interface FindingExchanges {
  finding: string;
  status: string;
  exchanges: string[];
}

export interface ExchangeRecorder {
  /** Records one exchange; returns its id. */
  record(raw: RawExchange): string;
  /** Ties the evidence object a probe returned to its exchange, for {@link onFinding}. */
  link(evidence: Evidence, id: string): void;
  /** Called as each finding is recorded: maps it to the exchanges behind it. */
  onFinding(finding: { id: string; status: string; evidence: Evidence[] }): void;
  exchanges(): RecordedExchange[];
  findings(): FindingExchanges[];
}

export interface RecorderOptions {
  /** Largest body kept per request or response, in characters (default 8192). */
  maxBodyChars?: number;
  /** Exact values to mask wherever they appear (the tokens the person gave). */
  secrets?: string[];
}

const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$|token|secret/i;
// Any JWS or JWE compact serialisation, signed or not (an `alg: none` token ends with a dot).
const ANY_JWT = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,3}/g;
const SECRET_PARAMS =
  /([?&#]|^)(access_token|refresh_token|id_token|client_secret|client_assertion|code|code_verifier|device_code|assertion|subject_token|password)=([^&\s#"]+)/gi;
const SECRET_JSON =
  /("(?:access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|device_code|assertion|subject_token|password|registration_access_token)"\s*:\s*)"[^"]*"/gi;
// A JSON "code" is usually an error's name (`invalid_token`); anything that does not read like one could
// be an authorization code, so it is masked.
const JSON_CODE = /("code"\s*:\s*)"([^"]*)"/g;

/** Masks every secret this module knows how to recognise in `text` (see the module comment). */
export function redactEvidence(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join('<redacted>');
  return redact(
    out
      .replace(ANY_JWT, '<jwt redacted>')
      .replace(SECRET_PARAMS, (_m, sep: string, key: string) => `${sep}${key}=<redacted>`)
      .replace(SECRET_JSON, (_m, key: string) => `${key}"<redacted>"`)
      .replace(JSON_CODE, (m, key: string, value: string) =>
        /^[A-Za-z_.-]{0,64}$/.test(value) ? m : `${key}"<redacted>"`,
      ),
  );
}

function redactHeader(name: string, value: string, secrets: readonly string[], label?: string): string {
  if (!CREDENTIAL_HEADER.test(name)) return redactEvidence(value, secrets);
  if (label && /^authorization$/i.test(name)) return `<${label}>`;
  // Keep the scheme (Bearer, Basic, DPoP): it is part of what a check tested; never the credential.
  const scheme = /^(Bearer|Basic|DPoP|Digest)\s/i.exec(value)?.[1];
  return scheme ? `${scheme} <redacted>` : '<redacted>';
}

function headerRecord(
  h: Record<string, string | string[]> | undefined,
  secrets: readonly string[],
  label?: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const values = Array.isArray(v) ? v : [v];
    out[k.toLowerCase()] = values.map((x) => redactHeader(k, x, secrets, label)).join(', ');
  }
  return out;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A recorder that keeps everything in memory until the bundle is written (evidence-bundle.ts). */
export function createExchangeRecorder(o: RecorderOptions = {}): ExchangeRecorder {
  const max = o.maxBodyChars ?? 8192;
  const secrets = (o.secrets ?? []).filter((s) => s.length >= 6);
  const all: RecordedExchange[] = [];
  const byEvidence = new WeakMap<Evidence, string>();
  const mapped: FindingExchanges[] = [];
  let sinceLastFinding: string[] = [];
  const cut = (body: string | undefined, ex: { truncated?: boolean }): string | undefined => {
    if (body === undefined || body === '') return undefined;
    const clean = redactEvidence(body, secrets);
    if (clean.length <= max) return clean;
    ex.truncated = true;
    return `${clean.slice(0, max)}… (${clean.length - max} more characters)`;
  };
  return {
    record(raw) {
      const id = `x${String(all.length + 1).padStart(3, '0')}`;
      const flags: { truncated?: boolean } = {};
      const headers = headerRecord(raw.requestHeaders, secrets, raw.authorizationLabel);
      const url = redactEvidence(raw.url, secrets);
      const body = cut(raw.requestBody, flags);
      const ex: RecordedExchange = {
        id,
        via: raw.via,
        request: { method: raw.method, url, headers, ...(body ? { body } : {}) },
        curl: [
          'curl -i',
          `-X ${raw.method}`,
          ...Object.entries(headers).map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`),
          ...(body && !flags.truncated ? [`--data-raw ${shellQuote(body)}`] : []),
          shellQuote(url),
        ].join(' '),
      };
      if (raw.status !== undefined) {
        const resBody = cut(raw.responseBody, flags);
        ex.response = {
          status: raw.status,
          headers: headerRecord(raw.responseHeaders, secrets),
          ...(resBody ? { body: resBody } : {}),
        };
      }
      if (raw.error) ex.error = redactEvidence(raw.error, secrets);
      if (flags.truncated) ex.truncated = true;
      all.push(ex);
      sinceLastFinding.push(id);
      return id;
    },
    link(evidence, id) {
      byEvidence.set(evidence, id);
    },
    onFinding(f) {
      // The probes a finding quotes as evidence; for one that quotes none (built from metadata the guarded
      // fetch read), the exchanges made since the previous finding — what its check group just did.
      const quoted = f.evidence.map((e) => byEvidence.get(e)).filter((x): x is string => Boolean(x));
      const exchanges = quoted.length ? [...new Set(quoted)] : sinceLastFinding;
      mapped.push({ finding: f.id, status: f.status, exchanges });
      if (!quoted.length) sinceLastFinding = [];
    },
    exchanges: () => all,
    findings: () => mapped,
  };
}
