import type { Request, Response } from 'express';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { JWTPayload } from 'jose';
import type { Authenticate } from '../../shared/mcp-app';
import { createSampledLog, type Logger } from '../../shared/log';
import { AuthError, authErrorFromJose, respondToAuthError, type ChallengeContext } from './errors';
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
 * token (signature + claims, see verify-access-token.ts), then applies the per-request policy — tenant
 * allow-list and required delegated scope — which is deliberately NOT cached with the token. Every failure
 * becomes a 401/403/503 via errors.ts; nothing a caller sends can produce a 500.
 */
export function createBearerAuth(
  verify: (token: string) => Promise<JWTPayload>,
  policy: BearerPolicy,
  challenge: ChallengeContext,
  logger: Logger,
): Authenticate {
  const logRejection = createSampledLog((msg, fields) => logger.info(msg, fields));
  return async (req: Request, res: Response) => {
    try {
      const token = readBearerToken(req.headers.authorization);
      const claims = (await verify(token)) as CallerClaims;
      applyClaimPolicy(claims, policy);
      return toAuthInfo(claims, policy.resourceUrl);
    } catch (err) {
      const authError = authErrorFromJose(err);
      const answer = respondToAuthError(authError, challenge);
      logRejection(authError.code, 'request rejected', {
        code: authError.code,
        status: answer.status,
        path: req.path,
      });
      res
        .status(answer.status)
        .set(answer.headers)
        .type('application/json')
        .send(JSON.stringify(answer.body));
      return null;
    }
  };
}

/** Extracts the token from `Authorization: Bearer …`; throws AuthError with the precise reason. */
export function readBearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw new AuthError('missing_token');
  if (header.length > MAX_TOKEN_LENGTH + 16) throw new AuthError('token_too_large');
  const scheme = header.trim().split(/\s+/, 1)[0]!;
  if (scheme.toLowerCase() !== 'bearer') throw new AuthError('unsupported_scheme');
  const match = BEARER.exec(header.trim());
  if (!match) throw new AuthError('malformed_token');
  return match[1]!;
}

/** Tenant and scope checks run on every request, cached token or not. */
export function applyClaimPolicy(claims: CallerClaims, policy: BearerPolicy): void {
  if (typeof claims.tid !== 'string' || !policy.allowedTenants.includes(claims.tid))
    throw new AuthError('wrong_tenant');
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
  if (!scopes.includes(policy.requiredScope)) throw new AuthError('insufficient_scope');
}

function toAuthInfo(claims: CallerClaims, resourceUrl: string): AuthInfo {
  return {
    // The raw token is deliberately NOT handed to tools: MCP forbids passing it upstream, and no tool
    // needs it. Tools see the verified claims only.
    token: '',
    clientId: claims.azp ?? claims.appid ?? 'unknown',
    scopes: typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [],
    expiresAt: claims.exp,
    resource: new URL(resourceUrl),
    extra: { claims },
  };
}
