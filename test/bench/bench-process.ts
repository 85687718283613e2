/**
 * Runs a server entry point for the bench as a child process with the GC probe preloaded (gc-probe.ts),
 * waits for its one JSON line `{"url","origin"}`, and can ask it for its memory after a full GC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../support/lab';

export interface MemoryAfterGc {
  rssMiB: number;
  heapUsedMiB: number;
}

export interface BenchProcess {
  url: string;
  origin: string;
  pid: number;
  child: ChildProcess;
  memoryAfterGc(): Promise<MemoryAfterGc>;
  stderr(): string;
  stop(): Promise<void>;
}

export async function startBenchProcess(
  entry: string,
  env: NodeJS.ProcessEnv,
  o: { nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<BenchProcess> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      '--import',
      join(REPO_ROOT, 'test/bench/gc-probe.ts'),
      ...(o.nodeArgs ?? []),
      join(REPO_ROOT, entry),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SHERPA_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const first = await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line').then(([line]) => line as string),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`${entry} exited with ${code}: ${log}`))),
    new Promise<never>((_, rej) =>
      setTimeout(
        () => rej(new Error(`${entry} did not start in time: ${log}`)),
        o.timeoutMs ?? 20_000,
      ).unref(),
    ),
  ]);
  const { url, origin } = JSON.parse(first) as { url: string; origin: string };
  return {
    url,
    origin,
    pid: child.pid!,
    child,
    stderr: () => log,
    memoryAfterGc: async () => {
      const reply = once(child, 'message') as Promise<[{ memory: NodeJS.MemoryUsage; gcRan: boolean }]>;
      child.send('memory');
      const [{ memory, gcRan }] = await reply;
      if (!gcRan) throw new Error(`${entry}: gc() not exposed`);
      return { rssMiB: memory.rss / 2 ** 20, heapUsedMiB: memory.heapUsed / 2 ** 20 };
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
