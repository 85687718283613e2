import type { ServerResponse } from 'node:http';
import { compactVerify, createRemoteJWKSet } from 'jose';
import { sendJson } from '../shared/http-reply';
import type { Authenticate } from '../shared/mcp-app';
import type { Logger } from '../shared/log';

/**
 * ⚠️ DELIBERATELY INSECURE — this is the lesson, not a pattern to copy. ⚠️
 *
 * Waypoint 1 of the workshop: one static bearer token shared by every caller. It never expires, names no
 * user, is not bound to this server (no audience), and anyone who sees it once (a log line, a config file,
 * a screenshot) is everyone. A plain string comparison is used on purpose: the weakness being taught is
 * the shared secret itself, not a timing side channel.
 *
 * The "naive JWT" path (when `trustedJwksUri` is set) is the second classic mistake: it checks that a JWT
 * was signed by the issuer and NOTHING else — no `aud`, no `iss`, no `exp`, no scope, no tenant. So a
 * real lab token issued for a different API (or long expired) is accepted here: the confused deputy.
 * Compare src/servers/secure/auth/verify-access-token.ts for what a resource server must check.
 */
export function createStaticTokenAuth(o: {
  requiredToken: string;
  trustedJwksUri?: string;
  realm: string;
  logger: Logger;
}): Authenticate {
  const jwks = o.trustedJwksUri ? createRemoteJWKSet(new URL(o.trustedJwksUri)) : undefined;
  const body = JSON.stringify({
    error: 'unauthorized',
    error_description: 'A valid bearer token is required',
  });
  const invalidBody = JSON.stringify({
    error: 'invalid_token',
    error_description: 'A valid bearer token is required',
  });
  const challenge = (res: ServerResponse, error?: 'invalid_token') => {
    // RFC 6750 §3: no `error` when the request carried no credentials at all.
    const header = error ? `Bearer realm="${o.realm}", error="${error}"` : `Bearer realm="${o.realm}"`;
    sendJson(res, 401, error ? invalidBody : body, { 'WWW-Authenticate': header });
    return null;
  };

  return async (req, res) => {
    const header = req.headers.authorization;
    if (!header) return challenge(res);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return challenge(res, 'invalid_token');
    const token = match[1]!;
    if (token === o.requiredToken) return undefined; // no user context: the server cannot know who this is

    if (jwks && token.split('.').length === 3) {
      try {
        // DELIBERATELY WRONG: signature only. A real resource server must also verify iss, aud, exp, nbf,
        // the algorithm, scope and tenant (RFC 9068 §4, MCP authorization "Token Validation").
        await compactVerify(token, jwks);
        o.logger.warn('accepted a JWT after checking only its signature (deliberately vulnerable)');
        return undefined;
      } catch {
        // fall through: any failure is just "wrong token"
      }
    }
    return challenge(res, 'invalid_token');
  };
}
