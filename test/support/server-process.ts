import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { LAB_API_CLIENT_ID, LAB_TENANT_ID } from '../../src/servers/shared/lab-defaults';
import { createInterface } from 'node:readline';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * The environment of a secure server process for the lab's API app, trusting `issuer` (a lab, or a test
 * issuer with its own JWKS), secrets in `dataDir`, on a free port; `extra` overrides or adds.
 */
export function secureServerEnv(
  issuer: { issuer: string; jwksUri?: string },
  dataDir: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    PORT: '0',
    SHERPA_ISSUER: issuer.issuer,
    ...(issuer.jwksUri ? { SHERPA_JWKS_URI: issuer.jwksUri } : {}),
    SHERPA_API_CLIENT_ID: LAB_API_CLIENT_ID,
    SHERPA_ALLOWED_TENANTS: LAB_TENANT_ID,
    SECRETS_FILE: join(dataDir, 'secrets.json'),
    ...extra,
  };
}

export interface ServerProcess {
  url: string;
  origin: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far (its log). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Runs one of our server entry points (`src/servers/{secure,vulnerable}/main.ts`) as a real child process
 * and waits for its one JSON line `{"url":…}` on stdout.
 */
export async function startServerProcess(
  entry: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, SHERPA_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`${entry} exited with ${code}: ${log}`))),
    new Promise<never>((_, rej) =>
      setTimeout(() => rej(new Error(`${entry} did not start in time: ${log}`)), timeoutMs).unref(),
    ),
  ]);
  const { url, origin } = JSON.parse(first) as { url: string; origin: string };
  return {
    url,
    origin,
    child,
    stderr: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
