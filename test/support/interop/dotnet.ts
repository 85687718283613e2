/**
 * The .NET side of the interop tests: builds a project under test/interop/dotnet once per change (the output
 * is cached under the tools folder, keyed by the hash of the project's sources, its lock file and the SDK
 * version) and runs it as a child process on loopback. `dotnet build` takes half a minute on 2 cores, so a
 * second run with the same sources reuses the build.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const DOTNET_PROJECTS_DIR = join(REPO_ROOT, 'test', 'interop', 'dotnet');

/** What a newcomer without the SDK reads: the interop tests need it and do not skip silently. */
export const DOTNET_MISSING =
  'The .NET 10 SDK (`dotnet`, 10.0.x) is needed for the ASP.NET Core interop tests ' +
  '(Microsoft.Identity.Web against the Entra lab) and was not found on PATH. Install it: ' +
  'https://dotnet.microsoft.com/download/dotnet/10.0 (Debian 12: add packages.microsoft.com ' +
  '(packages-microsoft-prod.deb), then `apt-get install dotnet-sdk-10.0`; or `dotnet-install.sh --channel 10.0`). ' +
  'NuGet (api.nuget.org) must be reachable for the first restore.';

/** The SDK version (`dotnet --version`), or a thrown error naming the .NET 10 SDK and how to get it. */
export function dotnetSdkVersion(): string {
  const r = spawnSync('dotnet', ['--version'], { encoding: 'utf8', env: dotnetEnv() });
  const version = r.status === 0 ? r.stdout.trim() : '';
  if (!version) throw new Error(DOTNET_MISSING);
  if (Number(version.split('.')[0]) < 10) {
    throw new Error(`${DOTNET_MISSING} (found dotnet ${version}, which cannot build net10.0)`);
  }
  return version;
}

/** No telemetry, no first-run banner, no global tool manifests: a quiet, offline-after-restore SDK. */
function dotnetEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
  };
}

function sourceHash(projectDir: string, sdk: string): string {
  const hash = createHash('sha256').update(sdk);
  for (const file of readdirSync(projectDir).sort()) {
    if (/\.(cs|csproj|json)$/.test(file)) hash.update(file).update(readFileSync(join(projectDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

export interface DotnetBuild {
  /** The built entry assembly (`dotnet <dll>` runs it). */
  dll: string;
  sdk: string;
  /** Whether this call built it (false: reused from the cache). */
  built: boolean;
}

/**
 * Restores (locked: packages.lock.json must match) and builds test/interop/dotnet/<name> into
 * `<tools dir>/dotnet/<name>-<hash>`, unless that folder already holds the build.
 */
export async function buildDotnetProject(name: string): Promise<DotnetBuild> {
  const sdk = dotnetSdkVersion();
  const projectDir = join(DOTNET_PROJECTS_DIR, name);
  const cacheRoot = process.env.SHERPA_TOOLS_DIR || join(homedir(), '.cache', 'sherpa-tools');
  const outDir = join(cacheRoot, 'dotnet', `${name}-${sourceHash(projectDir, sdk)}`);
  const dll = join(outDir, `${name}.dll`);
  if (existsSync(dll)) return { dll, sdk, built: false };

  // Into a temporary folder first, renamed when complete: an interrupted build never looks cached.
  const tmpDir = `${outDir}.tmp-${process.pid}`;
  await mkdir(tmpDir, { recursive: true });
  const run = (args: string[]) => {
    const r = spawnSync('dotnet', args, { cwd: projectDir, encoding: 'utf8', env: dotnetEnv() });
    if (r.status !== 0) {
      throw new Error(`dotnet ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  };
  try {
    run(['restore', '--locked-mode']);
    run(['build', '--no-restore', '-c', 'Release', '-o', tmpDir]);
    await rm(outDir, { recursive: true, force: true });
    await rename(tmpDir, outDir);
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
  return { dll, sdk, built: true };
}

export interface DotnetServer {
  child: ChildProcess;
  /** Everything the process printed (its `auth-failed <exception type>` lines among them). */
  output(): string;
  stop(): Promise<void>;
}

/** Runs a built server and waits for its `ready` line on stdout. */
export async function startDotnetServer(
  dll: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<DotnetServer> {
  const child = spawn('dotnet', [dll], {
    env: { ...dotnetEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<void>((resolveReady) =>
    lines.on('line', (line) => {
      output += `${line}\n`;
      if (line.startsWith('ready ')) resolveReady();
    }),
  );
  try {
    await Promise.race([
      ready,
      once(child, 'exit').then(([code]) =>
        Promise.reject(new Error(`${dll} exited with ${code}:\n${output}`)),
      ),
      new Promise<never>((_, rej) =>
        setTimeout(() => rej(new Error(`${dll} did not start in time:\n${output}`)), timeoutMs).unref(),
      ),
    ]);
  } catch (err) {
    // A server that never said ready is not left running behind the failed test.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw err;
  }
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface DotnetRun {
  code: number | null;
  /** Its stdout as JSON lines (the interop programs print one `{"step":…}` object per line). */
  steps: Array<Record<string, unknown>>;
  stdout: string;
  stderr: string;
}

/** Runs a built console program to its end (killed after `timeoutMs`: a hang is a failure too). */
export async function runDotnetProgram(
  dll: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<DotnetRun> {
  const child = spawn('dotnet', [dll], {
    env: { ...dotnetEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  const steps = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, steps, stdout, stderr };
}
