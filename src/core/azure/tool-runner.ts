/**
 * Runs the Azure tools (azd, az, docker) as child processes without a shell: arguments are never
 * interpreted, output is bounded, a hung tool is killed after a timeout. A tool that is not on PATH is
 * reported as `missing` rather than thrown, so the preflight can name it.
 */
import { execFile } from 'node:child_process';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type ToolRunner = (
  tool: string,
  args: string[],
  o?: { timeoutMs?: number; cwd?: string },
) => Promise<ToolResult | 'missing'>;

export const runTool: ToolRunner = (tool, args, o = {}) =>
  new Promise((resolve) => {
    // Windows ships az as az.cmd, which only a shell can start; args here are constants and ids we validated.
    const shell = process.platform === 'win32';
    execFile(
      tool,
      args,
      { cwd: o.cwd, timeout: o.timeoutMs ?? 60_000, maxBuffer: 4 * 1024 * 1024, shell, windowsHide: true },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
        if (e && (e.code === 'ENOENT' || (shell && /not recognized/.test(String(stderr)))))
          return resolve('missing');
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
  });

/** The same runner, always in `cwd` (azd finds azure.yaml and .azure/ from the working directory). */
export function runToolIn(cwd: string): ToolRunner {
  return (tool, args, o = {}) => runTool(tool, args, { ...o, cwd });
}
