import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { findUserRecord } from '../shared/user-directory';

/**
 * ⚠️ DELIBERATELY INSECURE: `get_user_info` returns any record to anyone holding the shared token — there
 * is no caller identity to compare against (workshop exploit: read every employee's phone and manager).
 */
export function registerVulnerableTools(mcp: McpServer): void {
  mcp.registerTool(
    'get_user_info',
    {
      title: 'Get user info',
      description: 'Returns the directory record of any user by id (user_001 … user_004). No access control.',
      inputSchema: { user_id: z.string().max(64).describe('Directory id, e.g. user_001') },
    },
    async ({ user_id }) => {
      const record = findUserRecord(user_id);
      if (!record)
        return { isError: true, content: [{ type: 'text', text: `No user with id '${user_id}'` }] };
      return { content: [{ type: 'text', text: JSON.stringify(record, null, 2) }] };
    },
  );
}
