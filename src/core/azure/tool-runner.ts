/**
 * Runs the Azure tools (azd, az, docker) as child processes WITHOUT a shell, on every platform: the tool
 * is found on PATH here, started by its full path with an argument vector, output is bounded and a hung
 * tool is killed after a timeout. A tool that is not on PATH is reported as `missing` rather than thrown,
 * so the preflight can name it.
 *
 * Windows: azd and docker are .exe files, started directly. The Azure CLI is `az.cmd`, a batch file,
 * which only cmd.exe can run (Node refuses to spawn .cmd/.bat without a shell since CVE-2024-27980). It
 * is started as `cmd.exe /d /s /c ""az.cmd" "arg" …"` with verbatim arguments, and only after every
 * argument has been checked against a character allowlist that holds nothing cmd.exe interprets inside
 * double quotes (`"`, `%`, `!`, `^`, line breaks): the command line cmd.exe sees is exactly the quoted
 * argv. The ids in those arguments were already validated (azure-names.ts); the allowlist is the second
 * wall. Looking for az's python.exe behind az.cmd instead would depend on the installer's layout.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { SherpaError } from '../errors';

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

/** How to start a resolved tool without a shell: `file` + `args` for execFile/spawn or a ProcessExecution. */
export interface ToolCommand {
  file: string;
  args: string[];
  /** Windows batch files only: `args` is already cmd.exe's command line (quoted here). */
  windowsVerbatimArguments?: boolean;
}

/**
 * The full path of `tool` on `env.PATH`, or undefined. On Windows the PATHEXT extensions are tried in
 * order (as cmd.exe does), so `az` finds `az.cmd` and `azd` finds `azd.exe`.
 */
export function resolveTool(
  tool: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const win = platform === 'win32';
  const dirs = (env.PATH ?? env.Path ?? '').split(win ? ';' : delimiter).filter(Boolean);
  const exts = win ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  const candidates = isAbsolute(tool) ? [tool] : dirs.map((d) => join(d, tool));
  for (const base of candidates) {
    for (const ext of exts) {
      const file = base + ext.toLowerCase();
      try {
        if (!statSync(file).isFile()) continue;
        if (!win) accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Characters cmd.exe leaves alone inside a double-quoted argument (no `"`, `%`, `!`, `^`, line breaks). */
const CMD_SAFE_ARG = /^[\w .:/\\=@{},+\-[\]*?#~()']*$/;

/** How to start the tool at `file` with `args` and no shell (see the file comment for batch files). */
export function toolCommand(
  file: string,
  args: string[],
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): ToolCommand {
  if (platform !== 'win32' || !/\.(cmd|bat)$/i.test(file)) return { file, args };
  for (const a of [file, ...args]) {
    if (!CMD_SAFE_ARG.test(a)) {
      throw new SherpaError(
        'BAD_ARGUMENT',
        `Refusing to pass ${JSON.stringify(a)} to ${file}: cmd.exe would interpret it`,
        { hint: 'Arguments to the Azure CLI hold ids and names only; check the value you gave.' },
      );
    }
  }
  const line = [file, ...args].map((a) => `"${a}"`).join(' ');
  return {
    file: env.ComSpec ?? 'cmd.exe',
    // /d: no AutoRun commands from the registry; /s /c: strip exactly the outer quotes, run the rest.
    args: ['/d', '/s', '/c', `"${line}"`],
    windowsVerbatimArguments: true,
  };
}

export const runTool: ToolRunner = (tool, args, o = {}) =>
  new Promise((resolve) => {
    const file = resolveTool(tool);
    if (!file) return resolve('missing');
    let command: ToolCommand;
    try {
      command = toolCommand(file, args);
    } catch (err) {
      return resolve({ code: 2, stdout: '', stderr: err instanceof Error ? err.message : String(err) });
    }
    execFile(
      command.file,
      command.args,
      {
        cwd: o.cwd,
        timeout: o.timeoutMs ?? 60_000,
        maxBuffer: 4 * 1024 * 1024,
        shell: false,
        windowsHide: true,
        windowsVerbatimArguments: command.windowsVerbatimArguments,
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
        if (e && e.code === 'ENOENT') return resolve('missing');
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
