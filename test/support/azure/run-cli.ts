import { spawnCli } from '../lab';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sherpa …` as a child process (fresh Node: NODE_EXTRA_CA_CERTS trusts the stand-in's certificate). */
export function runSherpa(args: string[], env: Record<string, string>, input = ''): Promise<CliRun> {
  const child = spawnCli(args, {
    NO_COLOR: '1',
    // The stand-in plays every service; never fall through to a real Azure CLI on this machine.
    PATH: env.PATH ?? '/nonexistent',
    ...env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
