import { randomUUID } from 'node:crypto';

/**
 * Entra ID's error codes that the lab reproduces, in ONE table: the `AADSTS…` number, the OAuth error
 * code (RFC 6749 §4.1.2.1 / §5.2, RFC 8628 §3.5, RFC 8707 §2) that goes with it, and the text, modelled
 * on Entra's published error reference (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 * The texts are the lab's own wording of each rule; the numbers and OAuth codes are Entra's, because that
 * is what clients branch on.
 */
export interface EntraErrorParams {
  clientId?: string;
  clientName?: string;
  redirectUri?: string;
  resource?: string;
  scope?: string;
  tenant?: string;
  parameter?: string;
}

interface EntraErrorRule {
  error: string;
  text: (p: EntraErrorParams) => string;
}

const q = (v: string | undefined) => `'${(v ?? '').slice(0, 512)}'`;

export const ENTRA_ERRORS = {
  /** `resource` and the scope's identifier URI disagree (strict mode; the MCP-client breaker). */
  9010010: {
    error: 'invalid_target',
    text: () => "The resource parameter provided in the request doesn't match with the requested scopes.",
  },
  /** The client is not pre-authorized for the API and the lab shows no consent screen. */
  65001: {
    error: 'consent_required',
    text: (p) =>
      `The user or administrator has not consented to use the application with ID ${q(p.clientId)}` +
      `${p.clientName ? ` named ${q(p.clientName)}` : ''}. Send an interactive authorization request for ` +
      'this user and resource.',
  },
  /** The redirect URI is not one of the app registration's. */
  50011: {
    error: 'invalid_request',
    text: (p) =>
      `The redirect URI ${q(p.redirectUri)} specified in the request does not match the redirect URIs ` +
      `configured for the application ${q(p.clientId)}. Make sure the redirect URI sent in the request ` +
      'matches one added to your application registration.',
  },
  /** No app registration with this client id in the tenant. */
  700016: {
    error: 'unauthorized_client',
    text: (p) =>
      `Application with identifier ${q(p.clientId)} was not found in the directory ${q(p.tenant)}. This ` +
      'can happen if the application has not been installed by the administrator of the tenant or ' +
      'consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.',
  },
  /** A scope or resource names an identifier URI that no app of the tenant has. */
  500011: {
    error: 'invalid_resource',
    text: (p) =>
      `The resource principal named ${(p.resource ?? '').slice(0, 512)} was not found in the tenant named ` +
      `${(p.tenant ?? '').slice(0, 128)}. This can happen if the application has not been installed by the ` +
      'administrator of the tenant or consented to by any user in the tenant. You might have sent your ' +
      'authentication request to the wrong tenant.',
  },
  /** A scope the API does not expose (or no scope at all). */
  70011: {
    error: 'invalid_scope',
    text: (p) =>
      p.scope
        ? `The provided value for the input parameter 'scope' is not valid. The scope ${p.scope.slice(0, 512)} is not valid.`
        : "The provided request must include a 'scope' input parameter.",
  },
  /** The authorization code or refresh token is unknown, expired or already used. */
  70008: {
    error: 'invalid_grant',
    text: () =>
      'The provided authorization code or refresh token has expired due to inactivity or was already used. ' +
      'Send a new interactive authorization request for this user and resource.',
  },
  /** PKCE: the code_verifier does not match the code_challenge (RFC 7636 §4.6). */
  501481: {
    error: 'invalid_grant',
    text: () => 'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
  },
  /** RFC 8628 §3.5: the user has not approved the device code yet. */
  70016: {
    error: 'authorization_pending',
    text: () => 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
  },
  /** RFC 8628 §3.5: the device code expired. */
  70020: {
    error: 'expired_token',
    text: () => "The provided value for the input parameter 'device_code' is not valid. It has expired.",
  },
  /** A required parameter is missing or malformed. */
  900144: {
    error: 'invalid_request',
    text: (p) => `The request body must contain the following parameter: ${q(p.parameter)}.`,
  },
} satisfies Record<number, EntraErrorRule>;

export type EntraErrorCode = keyof typeof ENTRA_ERRORS;

/** Trace and correlation ids, and the time, of one error response (Entra prints them in every error). */
export interface EntraErrorStamp {
  traceId: string;
  correlationId: string;
  /** Entra's format: `2026-12-01 18:40:12Z`. */
  timestamp: string;
}

export function newErrorStamp(now = new Date(), correlationId?: string): EntraErrorStamp {
  return {
    traceId: randomUUID(),
    correlationId: correlationId && /^[0-9a-f-]{36}$/i.test(correlationId) ? correlationId : randomUUID(),
    timestamp: now
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, 'Z'),
  };
}

/** `AADSTS{code}: {text}` — the first line of Entra's error_description. */
export function describeEntraError(code: EntraErrorCode, params: EntraErrorParams = {}): string {
  return `AADSTS${code}: ${ENTRA_ERRORS[code].text(params)}`;
}

/** The full error_description: first line, then the trace/correlation/timestamp lines, CRLF-separated. */
export function entraErrorDescription(
  code: EntraErrorCode,
  params: EntraErrorParams,
  stamp: EntraErrorStamp,
  firstLine = describeEntraError(code, params),
): string {
  return `${firstLine}\r\nTrace ID: ${stamp.traceId}\r\nCorrelation ID: ${stamp.correlationId}\r\nTimestamp: ${stamp.timestamp}`;
}

/** Entra's token-endpoint error body (JSON), as the v2 endpoint returns it. */
export interface EntraTokenErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

export function entraTokenErrorBody(
  code: EntraErrorCode,
  params: EntraErrorParams,
  stamp: EntraErrorStamp,
  o: { authorityOrigin: string; firstLine?: string },
): EntraTokenErrorBody {
  return {
    error: ENTRA_ERRORS[code].error,
    error_description: entraErrorDescription(code, params, stamp, o.firstLine),
    error_codes: [code],
    timestamp: stamp.timestamp,
    trace_id: stamp.traceId,
    correlation_id: stamp.correlationId,
    error_uri: `${o.authorityOrigin}/error?code=${code}`,
  };
}

/** The AADSTS number a description already starts with (`AADSTS9010010: …`), if it is one of ours. */
export function codeInDescription(description: string | undefined): EntraErrorCode | undefined {
  const m = /^AADSTS(\d+):/.exec(description ?? '');
  const n = m ? Number(m[1]) : NaN;
  return n in ENTRA_ERRORS ? (n as EntraErrorCode) : undefined;
}
