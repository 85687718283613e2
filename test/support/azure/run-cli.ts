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

/** A check as `sherpa azure verify --format json` prints it. */
export interface PrintedCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  evidence: string;
  remedy: string;
}

/**
 * `sherpa azure verify` against the Azure stand-in's current state (its subscription and resource group,
 * its CLI environment): the run, and with `--format json` (the default) the checks it printed and the
 * failing ones. `extra` goes after the format (e.g. `--lab`).
 */
export async function runAzureVerify(
  azure: { state: { subscriptionId: string; resourceGroup: string }; cliEnv(): Record<string, string> },
  o: { format?: 'json' | 'markdown' | 'text'; extra?: string[] } = {},
): Promise<CliRun & { checks: PrintedCheck[]; failed: PrintedCheck[] }> {
  const s = azure.state;
  const format = o.format ?? 'json';
  const r = await runSherpa(
    [
      'azure',
      'verify',
      '--subscription',
      s.subscriptionId,
      '--resource-group',
      s.resourceGroup,
      '--format',
      format,
      ...(o.extra ?? []),
    ],
    azure.cliEnv(),
  );
  const checks =
    format === 'json' && r.stdout ? (JSON.parse(r.stdout) as { checks: PrintedCheck[] }).checks : [];
  return { ...r, checks, failed: checks.filter((c) => c.status === 'fail') };
}
