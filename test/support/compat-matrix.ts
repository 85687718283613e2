/**
 * The compatibility matrix's rows (issue 17 §5). Every cell is DECLARED here with the test that measures it,
 * and that test writes what it measured with recordCompatRow(); scripts/compat-matrix.mjs prints a run's rows
 * (end of `npm test`) and folds them into test/interop/measured-<group>.json and docs/compatibility.md. A unit
 * test (test/unit/scripts/compat-matrix.test.ts) checks that the page's rows are exactly the declared cells,
 * rendered from the measured files: no hand-written claim.
 *
 * Client tests use the same writer with `group: 'clients'` (client = the outsider, server = Sherpa's lab
 * server); server tests use `group: 'servers'` (client = `sherpa connect`, server = the outsider).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR, rowKey } from '../../scripts/compat-matrix.mjs';

export interface CompatRow {
  group: 'servers' | 'clients';
  /** The client's name, without version (part of the cell's identity). */
  client: string;
  /** Its exact version as run (a package.json, `--version`, a lockfile). */
  clientVersion: string;
  server: string;
  serverVersion: string;
  labMode: 'sherpa lab' | 'sherpa lab --entra';
  /** What the sign-in did: `ok — <registration>, <redirect>, resource sent?, scope` or `FAILED — why`. */
  signIn: string;
  /** `ok — tools/list (N), tools/call <name>` or `FAILED — why`. */
  tools: string;
  /** `sherpa audit`'s counts on the server as documented, and the broken variant's caught finding ids. */
  audit: string;
  notes: string;
  /** The test file that measured the row (repo-relative). */
  test: string;
}

export type CompatCell = Pick<CompatRow, 'group' | 'client' | 'server' | 'labMode' | 'test'>;

/** The server column of every client cell: the lab's secure MCP server (src/servers/secure). */
export const SHERPA_SECURE_SERVER = 'Sherpa secure MCP server';

/** Every cell the interop tests measure. Add a cell here and in its test, together. */
export const DECLARED_COMPAT_CELLS: readonly CompatCell[] = [
  {
    group: 'servers',
    client: 'sherpa connect',
    server: 'TypeScript SDK v2 server (@modelcontextprotocol/server + express)',
    labMode: 'sherpa lab',
    test: 'test/integration/interop/sdk-server-v2.test.ts',
  },
  {
    group: 'servers',
    client: 'sherpa connect',
    server: 'FastMCP (TypeScript)',
    labMode: 'sherpa lab',
    test: 'test/integration/interop/fastmcp.test.ts',
  },
  {
    group: 'servers',
    client: 'sherpa connect',
    server: 'mcp-auth + TypeScript SDK v1 server',
    labMode: 'sherpa lab',
    test: 'test/integration/interop/mcp-auth.test.ts',
  },
  // Outsider clients against the lab's secure server; each test also asserts its wire behaviour against
  // test/interop/client-behaviour.json (support/interop/client-requests.ts).
  {
    group: 'clients',
    client: 'mcp-remote',
    server: SHERPA_SECURE_SERVER,
    labMode: 'sherpa lab',
    test: 'test/integration/interop/mcp-remote.test.ts',
  },
  {
    group: 'clients',
    client: 'TypeScript SDK v2 client (@modelcontextprotocol/client)',
    server: SHERPA_SECURE_SERVER,
    labMode: 'sherpa lab',
    test: 'test/integration/interop/ts-sdk-v2-client.test.ts',
  },
  {
    group: 'clients',
    client: 'TypeScript SDK v2 client (@modelcontextprotocol/client)',
    server: SHERPA_SECURE_SERVER,
    labMode: 'sherpa lab --entra',
    test: 'test/integration/interop/ts-sdk-v2-client.test.ts',
  },
  {
    group: 'clients',
    client: 'MCP Inspector v2 CLI (@modelcontextprotocol/inspector)',
    server: SHERPA_SECURE_SERVER,
    labMode: 'sherpa lab',
    test: 'test/integration/interop/inspector-cli.test.ts',
  },
  {
    group: 'clients',
    client: 'MCP Inspector v2 CLI (@modelcontextprotocol/inspector)',
    server: SHERPA_SECURE_SERVER,
    labMode: 'sherpa lab --entra',
    test: 'test/integration/interop/inspector-cli.test.ts',
  },
  {
    group: 'clients',
    client: 'C# SDK client (ModelContextProtocol)',
    server: SHERPA_SECURE_SERVER,
    labMode: 'sherpa lab',
    test: 'test/integration/interop/csharp-sdk-client.test.ts',
  },
  {
    group: 'clients',
    client: 'C# SDK client (ModelContextProtocol)',
    server: SHERPA_SECURE_SERVER,
    labMode: 'sherpa lab --entra',
    test: 'test/integration/interop/csharp-sdk-client.test.ts',
  },
];

/** Writes one measured row for the matrix; a cell nobody declared is a test bug, refused here. */
export function recordCompatRow(row: CompatRow, dir: string = RESULTS_DIR): string {
  const declared = DECLARED_COMPAT_CELLS.find((c) => rowKey(c) === rowKey(row));
  if (!declared || declared.test !== row.test || declared.group !== row.group) {
    throw new Error(
      `compat row ${rowKey(row)} (${row.test}) is not declared in test/support/compat-matrix.ts`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `${rowKey(row)
      .replace(/[^a-z0-9]+/gi, '-')
      .toLowerCase()}.json`,
  );
  writeFileSync(file, `${JSON.stringify(row, null, 2)}\n`);
  return file;
}
