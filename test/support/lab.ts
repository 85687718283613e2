/**
 * Starts the real lab as a child process (`sherpa lab --json`, run from source with tsx), on ephemeral
 * ports with a throw-away data folder, and stops it afterwards. Integration tests talk to it over
 * loopback exactly as a user's client would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

import type { ControlReply } from '../../src/lab/control-channel';
import type { LabInfo } from '../../src/lab/lab';

export type { LabInfo };

export interface LabProcess extends LabInfo {
  process: ChildProcess;
  /** Everything the lab wrote to stderr so far (its redacted logs), for assertions and debugging. */
  logs(): string;
  /** Sends one control-channel line (src/lab/control-channel.ts) and resolves with the lab's reply. */
  control(line: string | Record<string, unknown>): Promise<ControlReply>;
  stop(): Promise<void>;
}

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI_ENTRY = join(REPO_ROOT, 'src', 'cli', 'sherpa.ts');

/** Spawns `node --import tsx src/cli/sherpa.ts …args` from the repo root. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, SHERPA_LOG_LEVEL: process.env.SHERPA_LOG_LEVEL ?? 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Waits for a spawned CLI to end, with what it printed; `input` goes to its stdin. `killAfterMs`: a hang is
 * a failure too — the child is killed then (and its exit code is null).
 */
export async function collectRun(
  child: ChildProcess,
  options: { input?: string; killAfterMs?: number } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.end(options.input ?? '');
  const timer = options.killAfterMs
    ? setTimeout(() => child.kill('SIGKILL'), options.killAfterMs)
    : undefined;
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Runs `sherpa <args>` to its end with `input` on stdin (NO_COLOR; no browser unless env says so). */
export function runCli(
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const child = spawnCli(args, { NO_COLOR: '1', SHERPA_NO_BROWSER: '1', ...options.env });
  return collectRun(child, options.input !== undefined ? { input: options.input } : {});
}

export interface StartLabProcessOptions {
  strict?: boolean;
  /** Reuse a data folder (to test restarts); default: a new temp folder, removed on stop. */
  dataDir?: string;
  timeoutMs?: number;
  /** More `sherpa lab` arguments. */
  args?: string[];
}

export async function startLabProcess(options: StartLabProcessOptions = {}): Promise<LabProcess> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'sherpa-lab-')));
  const args = [
    'lab',
    '--json',
    '--data-dir',
    dataDir,
    '--as-port',
    '0',
    '--vulnerable-port',
    '0',
    '--secure-port',
    '0',
  ];
  if (options.strict) args.push('--strict');
  if (options.args) args.push(...options.args);
  const child = spawnCli(args, { SHERPA_LAB_STOP_ON_STDIN_END: '1' });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  // Replies after the ready line, in order (the lab answers control lines one by one).
  const replies: Array<(reply: ControlReply) => void> = [];
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<LabInfo>((resolveInfo, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`lab did not start within ${options.timeoutMs ?? 30000} ms\n${stderr}`)),
      options.timeoutMs ?? 30000,
    );
    lines.once('line', (line) => {
      lines.on('line', (reply) => replies.shift()?.(JSON.parse(reply) as ControlReply));
      clearTimeout(timer);
      try {
        resolveInfo(JSON.parse(line) as LabInfo);
      } catch {
        reject(new Error(`lab printed something that is not JSON: ${line}\n${stderr}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lab exited early with code ${code}\n${stderr}`));
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  const control = (line: string | Record<string, unknown>) =>
    new Promise<ControlReply>((resolveReply) => {
      replies.push(resolveReply);
      child.stdin!.write((typeof line === 'string' ? line : JSON.stringify(line)) + '\n');
    });
  return { ...info, process: child, logs: () => stderr, control, stop };
}
