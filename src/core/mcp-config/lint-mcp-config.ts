/**
 * Inside-out audit of an MCP client configuration (VS Code's `mcp.json`, JSON with comments): literal
 * credentials in `headers` or `env` (OWASP MCP01 — a token in a file is shared with everyone who can read,
 * sync or commit it), and `http://` URLs to hosts that are not loopback (the token crosses the network
 * in clear text). Each secret finding comes with a fix: the literal moves into an `inputs` entry with
 * `"password": true`, which VS Code asks for once and keeps in its secret storage.
 * Pure: offsets in, edits out; the extension turns them into diagnostics and a quick fix.
 */
import { applyEdits, modify, parseTree, findNodeAtLocation, type Edit, type Node } from 'jsonc-parser';
import { isLoopbackHost } from '../net/loopback';

export type McpConfigIssueKind = 'literal-secret' | 'insecure-url';

export interface McpConfigIssue {
  kind: McpConfigIssueKind;
  /** Offsets of the offending string value (quotes included). */
  offset: number;
  length: number;
  message: string;
  /** `servers.<name>.headers.<key>` or `.env.<key>` or `.url`. */
  path: (string | number)[];
  server: string;
}

// Names that carry credentials; and values that look like one whatever the name.
const SECRET_NAME =
  /(authorization|token|secret|password|passwd|api[-_]?key|apikey|credential|private[-_]?key|cookie|session)/i;
const SECRET_VALUE =
  /^(bearer|basic)\s+\S{6,}|^eyJ[\w-]{8,}\.|^(ghp|gho|github_pat|sk|xox[bp]|AKIA)[-_A-Za-z0-9]{8,}/i;
// VS Code's variable syntax: ${input:id}, ${env:NAME}, ${config:…} — a reference, not a secret.
const VARIABLE = /\$\{(input|env|config|command):[^}]+\}/;

function serversOf(root: Node | undefined): Node | undefined {
  return root && (findNodeAtLocation(root, ['servers']) ?? findNodeAtLocation(root, ['mcpServers']));
}

/** Every issue in the document, in document order. */
export function lintMcpConfig(text: string): McpConfigIssue[] {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const servers = serversOf(root);
  const issues: McpConfigIssue[] = [];
  const serversKey = root && findNodeAtLocation(root, ['servers']) ? 'servers' : 'mcpServers';
  for (const entry of servers?.children ?? []) {
    const name = entry.children?.[0]?.value as string | undefined;
    const body = entry.children?.[1];
    if (!name || body?.type !== 'object') continue;
    for (const section of ['headers', 'env'] as const) {
      const obj = findNodeAtLocation(body, [section]);
      for (const prop of obj?.children ?? []) {
        const key = prop.children?.[0]?.value as string | undefined;
        const valueNode = prop.children?.[1];
        const value = valueNode?.value;
        if (!key || typeof value !== 'string' || !valueNode || VARIABLE.test(value) || !value.trim())
          continue;
        if (SECRET_NAME.test(key) || SECRET_VALUE.test(value)) {
          issues.push({
            kind: 'literal-secret',
            offset: valueNode.offset,
            length: valueNode.length,
            path: [serversKey, name, section, key],
            server: name,
            message: `"${key}" of server "${name}" is a literal credential (OWASP MCP01): anyone who can read, sync or commit this file has it. Move it into an input with "password": true.`,
          });
        }
      }
    }
    const urlNode = findNodeAtLocation(body, ['url']);
    if (typeof urlNode?.value === 'string') {
      try {
        const u = new URL(urlNode.value);
        if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
          issues.push({
            kind: 'insecure-url',
            offset: urlNode.offset,
            length: urlNode.length,
            path: [serversKey, name, 'url'],
            server: name,
            message: `Server "${name}" is reached over plain http on ${u.host}: its tokens cross the network in clear text. Use https.`,
          });
        }
      } catch {
        // not a URL: VS Code itself reports it
      }
    }
  }
  return issues;
}

/**
 * The edits that move a literal secret into `inputs` (`{ "type": "promptString", "id", "description",
 * "password": true }`) and replace it with `${input:id}`; a `Bearer ` prefix stays in the header.
 */
export function fixLiteralSecret(text: string, issue: McpConfigIssue): Edit[] {
  const root = parseTree(text, [], { allowTrailingComma: true });
  const value = root ? (findNodeAtLocation(root, issue.path)?.value as string | undefined) : undefined;
  if (typeof value !== 'string') return [];
  const key = String(issue.path.at(-1));
  const base = `${issue.server}-${key}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-|-$/g, '');
  const existing = new Set(
    ((root && findNodeAtLocation(root, ['inputs'])?.children) ?? []).map(
      (n) => (n.children?.find((p) => p.children?.[0]?.value === 'id')?.children?.[1]?.value as string) ?? '',
    ),
  );
  let id = base || 'secret';
  for (let i = 2; existing.has(id); i++) id = `${base}-${i}`;
  const scheme = /^(Bearer|Basic)\s+/i.exec(value)?.[0] ?? '';
  const fmt = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
  const replaced = applyEdits(text, modify(text, issue.path, `${scheme}\${input:${id}}`, fmt));
  const inputs = modify(
    replaced,
    ['inputs', -1],
    {
      type: 'promptString',
      id,
      description: `${key} for the MCP server "${issue.server}"`,
      password: true,
    },
    { ...fmt, isArrayInsertion: true },
  );
  // One edit over the whole document: simple to apply and to test.
  return [{ offset: 0, length: text.length, content: applyEdits(replaced, inputs) }];
}
