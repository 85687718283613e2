/**
 * A token inspector: decodes a JWT access token (jose `decodeJwt` / `decodeProtectedHeader`, no signature
 * verification — that is the resource server's job) and explains it against what the MCP server's PRM and
 * the authorization server's metadata lead a client to expect (RFC 9068 §4 validation rules, RFC 8707
 * audience, RFC 7519 §4.1 time claims). Pure functions: pass `now` to make results reproducible.
 */
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { SherpaError } from '../errors';

export interface DecodedToken {
  header: ProtectedHeaderParameters;
  claims: JWTPayload & Record<string, unknown>;
}

export type CheckStatus = 'pass' | 'fail' | 'unknown';
export interface TokenCheck {
  id: 'audience' | 'issuer' | 'expiry' | 'not-before' | 'scope' | 'algorithm' | 'tenant';
  label: string;
  status: CheckStatus;
  detail: string;
}

export interface TokenExpectations {
  /** Accepted `aud` values (RFC 8707 / RFC 9068 §4): e.g. the API's client id GUID and App ID URI. */
  audiences?: string[];
  /** Accepted `iss` values: the authorization servers the PRM advertises. */
  issuers?: string[];
  /** Scope the resource requires (Entra puts delegated scopes in `scp`, RFC 9068 uses `scope`). */
  requiredScope?: string;
  /** Allowed tenants (`tid`). */
  tenants?: string[];
  /** Allowed signing algorithms (default: asymmetric ones only). */
  algorithms?: string[];
  /** Epoch seconds (default: now). */
  now?: number;
  /** Clock skew tolerated for exp/nbf, seconds (default 0: the inspector shows the raw truth). */
  clockToleranceSeconds?: number;
}

/** Asymmetric algorithms a resource server can verify with a JWKS; `none` and HS* are never acceptable. */
export const DEFAULT_ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Decodes header and payload without verifying anything → TOKEN_INVALID if it is not a JWS JWT. */
export function decodeToken(token: string): DecodedToken {
  const trimmed = token.trim().replace(/^Bearer\s+/i, '');
  try {
    return { header: decodeProtectedHeader(trimmed), claims: decodeJwt(trimmed) as DecodedToken['claims'] };
  } catch (err) {
    throw new SherpaError('TOKEN_INVALID', 'This is not a decodable JWT', {
      cause: err,
      hint: "Opaque tokens (like the vulnerable server's static token) carry no claims: nothing says who, for what, or until when.",
    });
  }
}

/** Runs every check; each one reports pass, fail or unknown (when there is nothing to compare against). */
export function inspectToken(decoded: DecodedToken, expect: TokenExpectations = {}): TokenCheck[] {
  const { header, claims } = decoded;
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  const skew = expect.clockToleranceSeconds ?? 0;
  return [
    audienceCheck(claims, expect),
    issuerCheck(claims, expect),
    expiryCheck(claims, now, skew),
    notBeforeCheck(claims, now, skew),
    scopeCheck(claims, expect),
    algorithmCheck(header, expect),
    tenantCheck(claims, expect),
  ];
}

type Claims = DecodedToken['claims'];

/** `aud` (RFC 7519 §4.1.3): one of the API's own identifiers, else a token for another API. */
function audienceCheck(claims: Claims, expect: TokenExpectations): TokenCheck {
  const check = { id: 'audience', label: 'Audience' } as const;
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.length)
    return { ...check, status: 'fail', detail: 'no aud claim: any API would accept this token' };
  if (!expect.audiences?.length)
    return { ...check, status: 'unknown', detail: `aud ${aud.join(', ')} (no expected audience given)` };
  const hit = aud.find((a) => expect.audiences!.includes(a));
  // Entra v2 names the API by its client id (a GUID) that public metadata does not reveal when the
  // scope is `{server URL}/…`: not a mismatch, just not knowable from here.
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const unknowable =
    !hit &&
    aud.every((a) => guid.test(a)) &&
    !expect.audiences.some((e) => guid.test(e.replace(/^api:\/\//, '')));
  return {
    ...check,
    status: hit ? 'pass' : unknowable ? 'unknown' : 'fail',
    detail: hit
      ? `aud ${hit} is this API`
      : unknowable
        ? `aud ${aud.join(', ')} is an application (client) id; the metadata names the API only as ${expect.audiences.join(' or ')}, so whether it is this API's id cannot be told from here`
        : `aud ${aud.join(', ')} is not ${expect.audiences.join(' or ')} — a token for another API (confused deputy)`,
  };
}

/** `iss` (RFC 7519 §4.1.1): one of the authorization servers the PRM advertises. */
function issuerCheck(claims: Claims, expect: TokenExpectations): TokenCheck {
  const check = { id: 'issuer', label: 'Issuer' } as const;
  const iss = typeof claims.iss === 'string' ? claims.iss : undefined;
  if (!iss) return { ...check, status: 'fail', detail: 'no iss claim' };
  if (!expect.issuers?.length)
    return { ...check, status: 'unknown', detail: `iss ${iss} (no expected issuer given)` };
  const ok = expect.issuers.includes(iss);
  return {
    ...check,
    status: ok ? 'pass' : 'fail',
    detail: ok
      ? `iss ${iss} is the advertised authorization server`
      : `iss ${iss} is not ${expect.issuers.join(' or ')}`,
  };
}

/** `exp` (RFC 7519 §4.1.4), with the allowed clock skew. */
function expiryCheck(claims: Claims, now: number, skew: number): TokenCheck {
  const check = { id: 'expiry', label: 'Expiry' } as const;
  if (typeof claims.exp !== 'number')
    return { ...check, status: 'fail', detail: 'no exp claim: the token never expires' };
  const ok = claims.exp + skew > now;
  return {
    ...check,
    status: ok ? 'pass' : 'fail',
    detail: `${ok ? 'expires' : 'expired'} ${formatRelative(claims.exp - now)}`,
  };
}

/** `nbf` (RFC 7519 §4.1.5), with the allowed clock skew. */
function notBeforeCheck(claims: Claims, now: number, skew: number): TokenCheck {
  const check = { id: 'not-before', label: 'Not before' } as const;
  if (typeof claims.nbf !== 'number') return { ...check, status: 'unknown', detail: 'no nbf claim' };
  const ok = claims.nbf - skew <= now;
  return {
    ...check,
    status: ok ? 'pass' : 'fail',
    detail: ok
      ? `valid since ${formatRelative(claims.nbf - now)}`
      : `not valid until ${formatRelative(claims.nbf - now)}`,
  };
}

/** `scp` / `scope` (RFC 9068 §2.2.3): holds the scope the server requires. */
function scopeCheck(claims: Claims, expect: TokenExpectations): TokenCheck {
  const check = { id: 'scope', label: 'Scope' } as const;
  const scopes = tokenScopes(claims);
  if (!expect.requiredScope)
    return {
      ...check,
      status: 'unknown',
      detail: scopes.length ? `scopes: ${scopes.join(' ')}` : 'no scp/scope claim',
    };
  const ok = scopes.includes(expect.requiredScope);
  return {
    ...check,
    status: ok ? 'pass' : 'fail',
    detail: ok
      ? `has ${expect.requiredScope}`
      : `missing ${expect.requiredScope} (has: ${scopes.join(' ') || 'none'})`,
  };
}

/** The header's `alg` (RFC 8725 §3.1): an asymmetric one the JWKS can verify. */
function algorithmCheck(header: DecodedToken['header'], expect: TokenExpectations): TokenCheck {
  const alg = header.alg ?? '(none)';
  const allowed = expect.algorithms ?? DEFAULT_ALLOWED_ALGORITHMS;
  const ok = allowed.includes(alg);
  return {
    id: 'algorithm',
    label: 'Algorithm',
    status: ok ? 'pass' : 'fail',
    detail: ok
      ? `${alg} (asymmetric, verifiable with the JWKS)`
      : `${alg} is not allowed (${/^HS/.test(alg) ? 'shared-secret HMAC' : alg === 'none' ? 'unsigned' : 'unexpected'}); expected ${allowed.slice(0, 3).join('/')}…`,
  };
}

/** Entra's `tid`: one of the allowed tenants. */
function tenantCheck(claims: Claims, expect: TokenExpectations): TokenCheck {
  const check = { id: 'tenant', label: 'Tenant' } as const;
  const tid = typeof claims.tid === 'string' ? claims.tid : undefined;
  if (!expect.tenants?.length)
    return { ...check, status: 'unknown', detail: tid ? `tid ${tid}` : 'no tid claim' };
  const ok = tid !== undefined && expect.tenants.includes(tid);
  return {
    ...check,
    status: ok ? 'pass' : 'fail',
    detail: ok ? `tid ${tid} is allowed` : `tid ${tid ?? '(none)'} is not an allowed tenant`,
  };
}

/** Delegated scopes from Entra's `scp` or RFC 9068's `scope` (both space-separated strings). */
export function tokenScopes(claims: Record<string, unknown>): string[] {
  const raw = claims.scp ?? claims.scope;
  if (Array.isArray(raw)) return raw.map(String);
  return typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
}

const CLAIM_LABELS: Record<string, string> = {
  iss: 'Issuer',
  sub: 'Subject',
  aud: 'Audience',
  exp: 'Expires',
  nbf: 'Not before',
  iat: 'Issued at',
  jti: 'Token id',
  azp: 'Authorized party (client)',
  appid: 'Application (client) id',
  client_id: 'Client id',
  scp: 'Delegated scopes',
  scope: 'Scopes',
  roles: 'App roles',
  tid: 'Tenant',
  oid: 'Object id (user)',
  name: 'Name',
  preferred_username: 'Username',
  email: 'Email',
  ver: 'Token version',
  auth_time: 'Signed in at',
  idp: 'Identity provider',
  amr: 'Authentication methods',
};
const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time']);

export interface ClaimLine {
  name: string;
  /** e.g. "Audience (aud)". */
  label: string;
  /** Human-readable value, e.g. "2026-03-01 14:02:11 (expires in 42 min)". */
  value: string;
}

/** One human-readable line for a claim: known names get labels, times get a local date + relative time. */
export function describeClaim(name: string, value: unknown, now = Math.floor(Date.now() / 1000)): ClaimLine {
  const label = CLAIM_LABELS[name] ? `${CLAIM_LABELS[name]} (${name})` : name;
  if (TIME_CLAIMS.has(name) && typeof value === 'number') {
    const when = new Date(value * 1000);
    const local = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}`;
    const delta = value - now;
    const verb =
      name === 'exp' ? (delta > 0 ? 'expires' : 'expired') : name === 'nbf' && delta > 0 ? 'valid' : '';
    return { name, label, value: `${local} (${verb ? verb + ' ' : ''}${formatRelative(delta)})` };
  }
  const text = Array.isArray(value)
    ? value.join(', ')
    : typeof value === 'object' && value !== null
      ? JSON.stringify(value)
      : String(value);
  return { name, label, value: text };
}

/** "in 42 min" / "3 h ago" / "just now". */
export function formatRelative(deltaSeconds: number): string {
  const abs = Math.abs(deltaSeconds);
  if (abs < 5) return 'just now';
  const [n, unit] =
    abs < 90
      ? [abs, 's']
      : abs < 90 * 60
        ? [Math.round(abs / 60), 'min']
        : abs < 36 * 3600
          ? [Math.round(abs / 3600), 'h']
          : [Math.round(abs / 86400), 'd'];
  return deltaSeconds > 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
