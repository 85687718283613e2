/**
 * The HTTP servers an mcp.json names (VS Code's `servers`, also `mcpServers` as other clients write it):
 * name and URL only — headers, env and stdio commands are not Sherpa's to read here.
 */
import { parse } from 'jsonc-parser';

export interface McpJsonHttpServer {
  name: string;
  url: string;
}

/** Every entry with an http(s) `url`, in file order; anything unparsable yields nothing, never a throw. */
export function listHttpServers(text: string): McpJsonHttpServer[] {
  const doc = parse(text) as unknown;
  if (!doc || typeof doc !== 'object') return [];
  const out: McpJsonHttpServer[] = [];
  for (const key of ['servers', 'mcpServers'] as const) {
    const servers = (doc as Record<string, unknown>)[key];
    if (!servers || typeof servers !== 'object') continue;
    for (const [name, s] of Object.entries(servers as Record<string, { url?: unknown }>)) {
      if (typeof s?.url === 'string' && /^https?:\/\//i.test(s.url)) out.push({ name, url: s.url });
    }
  }
  return out;
}
