/**
 * `sherpa connect` and `sherpa audit` against an outsider server trusting `sherpa lab` (issue 17 §3): the
 * tokens a person would hand the audit (their own, one of another API of the same tenant, an expired one,
 * one without the scope), all real lab tokens re-signed with the lab's key where a claim must differ.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { LAB_API_APP_ID_URI, LAB_OTHER_API_CLIENT_ID } from '../../../src/servers/shared/lab-defaults';
import { readLabSigningKey, resignLabToken, signInToLab } from '../lab-tokens';
import { REPO_ROOT, runCli, type CliRun, type LabInfo } from '../lab';

export const SHERPA_VERSION = (
  JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** Writes the four tokens into `dir` and returns the `--…-token-command` options that print them. */
export async function labAuditTokenArgs(lab: LabInfo, dir: string): Promise<string[]> {
  return auditTokenArgs((await signInToLab(lab, { user: 'alice' })).accessToken, lab.dataDir, dir);
}

/**
 * The person's own token `valid` and three re-signed with the lab's key (from `labDataDir`): the other API's
 * (what that API would receive from the same tenant), an expired one and one without the scope. Each is
 * written to a file in `dir` (mode 0600); returned are the `--…-token-command` options that print them.
 */
export async function auditTokenArgs(valid: string, labDataDir: string, dir: string): Promise<string[]> {
  const { privateKey: key } = await readLabSigningKey(labDataDir);
  const now = Math.floor(Date.now() / 1000);
  const tokens = {
    token: valid,
    'foreign-token': await resignLabToken(valid, { aud: LAB_OTHER_API_CLIENT_ID }, { key }),
    'expired-token': await resignLabToken(
      valid,
      { iat: now - 7200, nbf: now - 7200, exp: now - 3600 },
      { key },
    ),
    'narrow-token': await resignLabToken(valid, { scp: 'User.Read' }, { key }),
  };
  const args: string[] = [];
  for (const [name, token] of Object.entries(tokens)) {
    await writeFile(join(dir, name), token, { mode: 0o600 });
    args.push(`--${name}-command`, `cat ${join(dir, name)}`);
  }
  return args;
}

export interface AuditResult {
  findings: { id: string; status: string; detail: string }[];
  /** Findings neither passed nor skipped: id → fail | warn. */
  notPassed: Record<string, string>;
  detail(id: string): string;
  status(id: string): string | undefined;
  /** `N pass, N fail, N warn, N skip`. */
  counts: string;
}

/**
 * Findings about the lab's authorization server, not the server audited: the same for every server trusting
 * `sherpa lab`. The per-client predictions (checks-compat.ts) see Cursor's DCR redirect URIs include
 * `cursor://…`, which a DCR policy allowing only https and loopback refuses; without --probe-registration that
 * stays undecided, a warn.
 */
export const LAB_AS_FINDINGS: Readonly<Record<string, string>> = { 'compat.cursor': 'warn' };

/** The lab's findings are what LAB_AS_FINDINGS says, for the reason it says. */
export function assertLabAsFindings(r: AuditResult): void {
  assert.equal(r.status('compat.cursor'), 'warn', r.detail('compat.cursor'));
  assert.match(r.detail('compat.cursor'), /cursor:\/\//);
}

export async function auditJson(url: string, args: string[]): Promise<AuditResult> {
  const r = await runCli(['audit', url, ...args, '--format', 'json', '--fail-on', 'never']);
  assert.equal(r.code, 0, r.stderr);
  const { findings } = JSON.parse(r.stdout) as AuditResult;
  const notPassed = Object.fromEntries(
    findings.filter((f) => f.status !== 'pass' && f.status !== 'skip').map((f) => [f.id, f.status]),
  );
  const n = (s: string) => findings.filter((f) => f.status === s).length;
  return {
    findings,
    notPassed,
    detail: (id) => findings.find((f) => f.id === id)?.detail ?? '',
    status: (id) => findings.find((f) => f.id === id)?.status,
    counts: `${n('pass')} pass, ${n('fail')} fail, ${n('warn')} warn, ${n('skip')} skip`,
  };
}

/**
 * `sherpa connect <url> --user alice --call whoami` as the lab's own servers are reached. The lab is
 * Entra-shaped: it knows the API by its App ID URI, not by the outsider's URL, so (as with Entra) the
 * RFC 8707 `resource` is left out and the api:// scope trusted as this server's.
 */
export function connectToLab(url: string, extra: string[] = []): Promise<CliRun> {
  return runCli([
    'connect',
    url,
    '--user',
    'alice',
    '--call',
    'whoami',
    '--no-resource',
    '--trust-api',
    LAB_API_APP_ID_URI,
    ...extra,
  ]);
}
