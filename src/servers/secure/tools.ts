import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ADMIN_ROLE } from '../../core/well-known-ids';
import { findUserRecord, findUserRecordByOid } from '../shared/user-directory';
import type { CallerClaims } from './auth/bearer-auth';
import { SecretError, type SecretStore } from './secrets/secret-store';

type Extra = { authInfo?: { extra?: Record<string, unknown> } };

function callerClaims(extra: Extra): CallerClaims {
  const claims = extra.authInfo?.extra?.claims as CallerClaims | undefined;
  // Unreachable behind bearer-auth; refuse rather than guess if it ever is.
  if (!claims) throw Object.assign(new Error('no validated caller'), { code: 'no_caller' });
  return claims;
}

const text = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
});
const toolError = (message: string): CallToolResult => ({
  isError: true,
  content: [{ type: 'text', text: message }],
});

/** Registers whoami, get_user_info (per-user authorization) and get_secret_from_vault (metadata only). */
export function registerSecureTools(mcp: McpServer, o: { secrets: SecretStore }): void {
  mcp.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description:
        'Shows the identity this server validated from your access token (never the token itself).',
    },
    async (extra) => {
      const c = callerClaims(extra);
      return text({
        oid: c.oid ?? null,
        // The caller's own directory id (get_user_info's user_id): clients prefill it from here.
        user_id: findUserRecordByOid(c.oid)?.id ?? null,
        tid: c.tid ?? null,
        name: c.name ?? null,
        preferred_username: c.preferred_username ?? null,
        scp: c.scp ?? null,
        roles: Array.isArray(c.roles) ? c.roles : [],
        azp: c.azp ?? c.appid ?? null,
        aud: c.aud ?? null,
        expiresAt: typeof c.exp === 'number' ? new Date(c.exp * 1000).toISOString() : null,
      });
    },
  );

  mcp.registerTool(
    'get_user_info',
    {
      title: 'Get user info',
      description: `Returns a directory record. You may read your own record; the ${ADMIN_ROLE} app role may read any.`,
      inputSchema: { user_id: z.string().max(64).describe('Directory id, e.g. user_001') },
    },
    async ({ user_id }, extra) => {
      const c = callerClaims(extra);
      const isAdmin = Array.isArray(c.roles) && c.roles.includes(ADMIN_ROLE);
      const record = findUserRecord(user_id);
      // Object-level authorization. The workshop's "secure" server validated the token and then returned
      // any record anyway (broken object-level authorization): a valid token says WHO is calling, not
      // WHAT they may read. Non-admins get "access denied" for any id that is not theirs — whether or not
      // it exists — so the tool cannot be used to enumerate ids either.
      if (!isAdmin && (!record || record.oid !== c.oid)) {
        return toolError(
          `Access denied: you may read only your own record unless you have the ${ADMIN_ROLE} app role.`,
        );
      }
      if (!record) return toolError(`No user with id '${user_id}'`);
      return text(record);
    },
  );

  mcp.registerTool(
    'get_secret_from_vault',
    {
      title: 'Get secret metadata',
      description:
        "Reads a named secret with the server's own identity and returns its metadata and a SHA-256 fingerprint prefix — never the value.",
      inputSchema: { name: z.string().max(127).describe('Secret name, e.g. demo-api-key') },
    },
    async ({ name }, extra) => {
      callerClaims(extra);
      try {
        return text(await o.secrets.getSecretMetadata(name));
      } catch (err) {
        if (err instanceof SecretError) return toolError(`${err.code}: ${err.message}`);
        return toolError('secret_store_unavailable: the secret store failed');
      }
    },
  );
}
