/**
 * Typed access to the tools installed by scripts/ensure-tools.mjs (Node 22, the conformance suites,
 * Node 24 + code-server, Chromium, the Bicep compiler). Calling ensureTools() runs the installer, which is a fast no-op
 * when everything is cached, so every harness works on a fresh machine as well as on a warm one.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..');

interface NodeTool {
  node: string;
  binDir: string;
  version: string;
}

export interface ToolsManifest {
  cacheRoot: string;
  node22?: NodeTool;
  node24?: NodeTool;
  conformance?: Record<string, { bin: string; version: string }>;
  /** The TypeScript SDK v2 client package folder (`root`), for the interop tests to import from. */
  mcpClient?: { root: string; version: string };
  /** The MCP Inspector v2 launcher (`bin`, run with Node 22). */
  inspector?: { bin: string; version: string };
  codeServer?: { bin: string; version: string; vscodeVersion: string };
  chromium?: { kind: 'sparticuz'; module: string } | { kind: 'system'; executablePath: string };
  bicep?: { bin: string; version: string; packageId: string; sha512: string };
  /** Outsider MCP server packages by tools-lock folder name (`sdk-server-2.4.0` …). */
  interopServers?: Record<string, { dir: string; nodeModules: string; package: string; version: string }>;
}

export type ToolName =
  | 'node22'
  | 'conformance'
  | 'mcp-client'
  | 'inspector'
  | 'code-server'
  | 'chromium'
  | 'node24'
  | 'bicep'
  | 'interop-servers';

/** Installs (or verifies) the named tools and returns the manifest; throws with the installer's reason. */
export function ensureTools(names: ToolName[]): ToolsManifest {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'ensure-tools.mjs'), ...names], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // Installer progress goes to our stderr; the manifest is its last stdout line.
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0)
    throw new Error(`scripts/ensure-tools.mjs ${names.join(' ')} failed (exit ${r.status})`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as ToolsManifest;
}

/** A value that must be in the manifest, or a clear error naming what is missing. */
export function requireTool<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new Error(`tools manifest has no ${what}: run node scripts/ensure-tools.mjs`);
  return value;
}
