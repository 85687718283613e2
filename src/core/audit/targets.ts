/**
 * What `sherpa audit --targets PATH` audits: a list file (one URL per line, `#` comments; or JSON — an
 * array of URLs or `{ name, url }` objects, or an mcp.json), or a folder searched for `.vscode/mcp.json`
 * files (VS Code's shape, `"servers": { name: { "type": "http", "url": … } }`; `mcpServers` as other
 * clients write it). A stdio server runs a local process — there is nothing to audit over HTTP — so it is
 * listed as skipped with that reason, never dropped silently.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';
import { SherpaError } from '../errors';

export interface AuditTarget {
  /** The server's name in its mcp.json, or its URL for a plain list. */
  name: string;
  /** The MCP endpoint, when there is one to audit. */
  url?: string;
  /** The file that names it, relative to the folder searched (or as given): SARIF's artifact location. */
  source: string;
  /** Why it is not audited (a stdio server, not an http(s) URL). */
  skipped?: string;
}

/** Folders never searched: dependencies and VCS data hold other projects' configuration, not yours. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out']);
const MAX_DEPTH = 8;

/** Reads `path` — a list or an mcp.json file, or a folder to search — into the targets it names. */
export async function readAuditTargets(path: string): Promise<AuditTarget[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw badTargets(`${path} does not exist`);
  if (info.isDirectory()) {
    const files = await findMcpJsonFiles(path);
    const out: AuditTarget[] = [];
    for (const file of files)
      out.push(
        ...targetsFromMcpJson(await readFile(file, 'utf8'), relative(path, file).split('\\').join('/')),
      );
    if (!out.length) throw badTargets(`no server in a .vscode/mcp.json under ${path}`);
    return out;
  }
  const targets = parseTargetList(await readFile(path, 'utf8'), path);
  if (!targets.length) throw badTargets(`${path} names no server`);
  return targets;
}

/** Every `.vscode/mcp.json` under `root`, sorted (a stable report order). */
export async function findMcpJsonFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || SKIP_DIRS.has(e.name)) continue; // symlinks are not followed either
      const child = join(dir, e.name);
      if (e.name === '.vscode') {
        const file = join(child, 'mcp.json');
        if (
          await stat(file)
            .then((s) => s.isFile())
            .catch(() => false)
        )
          found.push(file);
      } else if (depth < MAX_DEPTH) await walk(child, depth + 1);
    }
  };
  await walk(root, 0);
  return found.sort();
}

/** A list file's text: JSON (array or mcp.json shape) when it parses as such, else one URL per line. */
export function parseTargetList(text: string, source: string): AuditTarget[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const errors: ParseError[] = [];
    const doc = parse(trimmed, errors, { allowTrailingComma: true }) as unknown;
    if (errors.length) throw badTargets(`${source} is not valid JSON (offset ${errors[0]!.offset})`);
    if (Array.isArray(doc)) return doc.map((entry, i) => listEntry(entry, source, i));
    return targetsFromMcpJson(trimmed, source);
  }
  return trimmed
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((url) => urlTarget(url, url, source));
}

function listEntry(entry: unknown, source: string, i: number): AuditTarget {
  if (typeof entry === 'string') return urlTarget(entry, entry, source);
  const o = entry as { name?: unknown; url?: unknown } | null;
  if (o && typeof o.url === 'string')
    return urlTarget(typeof o.name === 'string' ? o.name : o.url, o.url, source);
  throw badTargets(`${source}: entry ${i} is neither a URL nor { "name", "url" }`);
}

function urlTarget(name: string, url: string, source: string): AuditTarget {
  // `${input:…}` / `${env:…}` are resolved by VS Code when it starts the server; a guess here would audit
  // some other host.
  if (url.includes('${'))
    return { name, source, skipped: 'the URL uses a ${…} variable only VS Code resolves' };
  return /^https?:\/\/\S+$/i.test(url)
    ? { name, url, source }
    : { name, source, skipped: `not an http(s) URL: ${url.slice(0, 200)}` };
}

/** The servers of one mcp.json: http ones to audit, the others skipped with the reason. */
export function targetsFromMcpJson(text: string, source: string): AuditTarget[] {
  const doc = parse(text, [], { allowTrailingComma: true }) as unknown;
  if (!doc || typeof doc !== 'object') return [];
  const out: AuditTarget[] = [];
  for (const key of ['servers', 'mcpServers'] as const) {
    const servers = (doc as Record<string, unknown>)[key];
    if (!servers || typeof servers !== 'object') continue;
    for (const [name, raw] of Object.entries(servers as Record<string, unknown>)) {
      const s = (raw ?? {}) as { type?: unknown; url?: unknown; command?: unknown };
      if (s.type === 'stdio' || (s.url === undefined && s.command !== undefined))
        out.push({ name, source, skipped: 'stdio server: a local process, nothing to audit over HTTP' });
      else if (typeof s.url === 'string') out.push(urlTarget(name, s.url, source));
      else out.push({ name, source, skipped: 'no url' });
    }
  }
  return out;
}

function badTargets(why: string): SherpaError {
  return new SherpaError('BAD_ARGUMENT', `--targets: ${why}`, {
    hint: 'Give a file with one MCP URL per line (or a JSON array of URLs / { "name", "url" }), or a folder with .vscode/mcp.json files.',
  });
}
