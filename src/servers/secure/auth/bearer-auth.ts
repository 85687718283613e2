import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { JWTPayload } from 'jose';
import { sendJson } from '../../shared/http-reply';
import type { Authenticate } from '../../shared/mcp-app';
import { createSampledLog, type Logger } from '../../shared/log';
import {
  AuthError,
  authErrorFromJose,
  respondToAuthError,
  type AuthErrorCode,
  type AuthErrorResponse,
  type ChallengeContext,
} from './errors';
import { MAX_TOKEN_LENGTH } from './verify-access-token';

export interface BearerPolicy {
  /** Short scope name that must appear in the space-separated `scp` claim, e.g. 'access_as_user'. */
  requiredScope: string;
  /** Allowed `tid` values (Entra tenant ids). */
  allowedTenants: string[];
  resourceUrl: string;
}

/** Validated claims handed to tools through `AuthInfo.extra.claims`. */
export type CallerClaims = JWTPayload & {
  tid?: string;
  oid?: string;
  scp?: string;
  roles?: string[];
  azp?: string;
  appid?: string;
  name?: string;
  preferred_username?: string;
};

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The secure server's `Authenticate` step: reads the Authorization header (RFC 6750 §2.1), verifies the
 * token (signature + claims, see verify-access-token.ts), then applies the policy — tenant allow-list and
 * required delegated scope — which is deliberately NOT part of the verified-token cache: that cache holds
 * what the token says, this closure decides what this server allows. The decision is remembered per
 * verified claims object for THIS policy only (a server with another policy builds another closure), so a
 * cache hit costs a WeakMap lookup; expired tokens never get here (the token cache drops them). Every
 * failure becomes a 401/403/503 via errors.ts; nothing a caller sends can produce a 500.
 */
export function createBearerAuth(
  verify: (token: string) => Promise<JWTPayload>,
  policy: BearerPolicy,
  challenge: ChallengeContext,
  logger: Logger,
): Authenticate {
  const logRejection = createSampledLog((msg, fields) => logger.info(msg, fields));
  // Every answer but the 503's Retry-After depends only on the code and the configuration: built once
  // per code, so a flood of bad tokens costs a Map lookup per request, not a header build.
  const answers = new Map<AuthErrorCode, AuthErrorResponse & { json: string }>();
  const answerFor = (err: AuthError) => {
    if (err.retryAfterSeconds !== undefined) {
      const a = respondToAuthError(err, challenge);
      return { ...a, json: JSON.stringify(a.body) };
    }
    let a = answers.get(err.code);
    if (!a) {
      const built = respondToAuthError(err, challenge);
      a = { ...built, json: JSON.stringify(built.body) };
      answers.set(err.code, a);
    }
    return a;
  };
  const reject = (req: IncomingMessage, res: ServerResponse, err: unknown): null => {
    const authError = authErrorFromJose(err);
    const answer = answerFor(authError);
    logRejection(authError.code, 'request rejected', {
      code: authError.code,
      status: answer.status,
      path: (req.url ?? '').split('?', 1)[0],
    });
    sendJson(res, answer.status, answer.json, answer.headers);
    return null;
  };
  // A verified token's claims object is the same object on every cache hit: the policy decision and the
  // AuthInfo (never mutated by the SDK or our tools) are made once per claims object. A claims object
  // that fails the policy is not remembered and fails again, with its own code, every time.
  const resource = new URL(policy.resourceUrl);
  const allowed = new WeakMap<CallerClaims, AuthInfo>();
  // A keep-alive connection nearly always carries one client's token, request after request. The last
  // accepted Authorization header of each connection is remembered with the connection (and goes with
  // it): the same header again, before the token's `exp`, is the same verified caller — an exact string
  // comparison instead of hashing the token for the verified-token cache on every request.
  const lastOnConnection = new WeakMap<Socket, { header: string; authInfo: AuthInfo; expiresAtMs: number }>();
  const verifyAndAllow = async (req: IncomingMessage, res: ServerResponse, header: string | undefined) => {
    try {
      const token = readBearerToken(header);
      const claims = (await verify(token)) as CallerClaims;
      let authInfo = allowed.get(claims);
      if (!authInfo) {
        applyClaimPolicy(claims, policy);
        allowed.set(claims, (authInfo = toAuthInfo(claims, resource)));
      }
      // verify() requires a numeric `exp`; one already past (inside jose's clock tolerance) is never
      // remembered here, because the fast path below compares against the exact `exp`.
      lastOnConnection.set(req.socket, {
        header: header!,
        authInfo,
        expiresAtMs: (claims.exp as number) * 1000,
      });
      return authInfo;
    } catch (err) {
      lastOnConnection.delete(req.socket);
      return reject(req, res, err);
    }
  };
  // The remembered case answers synchronously: no promise, no await, for most requests.
  return (req, res) => {
    const header = req.headers.authorization;
    const last = lastOnConnection.get(req.socket);
    if (last !== undefined && last.header === header && Date.now() < last.expiresAtMs) return last.authInfo;
    return verifyAndAllow(req, res, header);
  };
}

/** Extracts the token from `Authorization: Bearer …`; throws AuthError with the precise reason. */
export function readBearerToken(header: string | undefined): string {
  const value = header?.trim();
  if (!value) throw new AuthError('missing_token');
  if (value.length > MAX_TOKEN_LENGTH + 16) throw new AuthError('token_too_large');
  const match = BEARER.exec(value);
  if (match) return match[1]!;
  const scheme = /^\S+/.exec(value)![0];
  if (scheme.toLowerCase() !== 'bearer') throw new AuthError('unsupported_scheme');
  throw new AuthError('malformed_token');
}

/** Tenant and scope checks run on every request, cached token or not. */
export function applyClaimPolicy(claims: CallerClaims, policy: BearerPolicy): void {
  if (typeof claims.tid !== 'string' || !policy.allowedTenants.includes(claims.tid))
    throw new AuthError('wrong_tenant');
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
  if (!scopes.includes(policy.requiredScope)) throw new AuthError('insufficient_scope');
}

function toAuthInfo(claims: CallerClaims, resource: URL): AuthInfo {
  return {
    // The raw token is deliberately NOT handed to tools: MCP forbids passing it upstream, and no tool
    // needs it. Tools see the verified claims only.
    token: '',
    clientId: claims.azp ?? claims.appid ?? 'unknown',
    scopes: typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [],
    expiresAt: claims.exp,
    resource,
    extra: { claims },
  };
}
