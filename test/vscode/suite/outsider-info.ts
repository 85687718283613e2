/**
 * What run-code-server.ts tells the suite about the outsider MCP server it started (issue 17 §3), through
 * code-server's environment: the suite's CommonJS bundle cannot start it itself (see the runner).
 */
export interface OutsiderServerInfo {
  /** Who wrote it, for test titles and failures (e.g. "TypeScript SDK v2 server"). */
  label: string;
  /** `<package>@<version>` as installed from its tools lockfile. */
  packageVersion: string;
  mcpUrl: string;
  /** The issuer of the lab it trusts (its own, not the extension's). */
  issuer: string;
}

export const OUTSIDER_ENV = 'SHERPA_VSCODE_OUTSIDER';

/** The runner's description; a missing or unreadable one is a failure naming the runner, never a skip. */
export function outsiderFromEnv(): OutsiderServerInfo {
  const raw = process.env[OUTSIDER_ENV];
  if (!raw) throw new Error(`${OUTSIDER_ENV} is not set: run the suite with test/vscode/run-code-server.ts`);
  return JSON.parse(raw) as OutsiderServerInfo;
}
