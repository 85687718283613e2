/**
 * Runs the official MCP conformance suite's client scenarios against `sherpa conformance-client`: suite
 * 0.2.0-alpha.12's frozen requirement sets 2025-11-25 and 2026-07-28 (every client scenario each revision
 * requires, at its own wire version, and the extensions it runs unscored; NOT_APPLICABLE lists, with the
 * reason, what Sherpa's client does not do), and suite 0.1.16's auth scenarios, printing one PASS/FAIL line
 * per scenario and a total. Builds nothing: expects `node esbuild.mjs` to have produced
 * dist/sherpa.mjs, and the suites + Node 22 from scripts/ensure-tools.mjs, found through its manifest
 * (scripts/tools-manifest.ts). A suite version the manifest does not have is a failure, never a skip: a
 * run that could not test a version must not look like one that did.
 *
 *   node --import tsx test/conformance/client-run.ts [--only <substring>] [--version 0.1.16|0.2.0-alpha.12]
 *
 * SHERPA_CONFORMANCE_CLIENT overrides the client command (e.g. to run the sources through tsx).
 * Exported for scripts/test.mjs: runClientConformance().
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTools, requireTool, type ToolsManifest } from '../../scripts/tools-manifest';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The URL the CIMD scenarios expect as client_id (the suite cannot fetch it; it only compares). */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';

const COMMON = [
  'metadata-default',
  'metadata-var1',
  'metadata-var2',
  'metadata-var3',
  'basic-cimd',
  'scope-from-www-authenticate',
  'scope-from-scopes-supported',
  'scope-omitted-when-undefined',
  'scope-step-up',
  'scope-retry-limit',
  'token-endpoint-auth-basic',
  'token-endpoint-auth-post',
  'token-endpoint-auth-none',
  'pre-registration',
  '2025-03-26-oauth-metadata-backcompat',
  '2025-03-26-oauth-endpoint-fallback',
  'resource-mismatch',
  'offline-access-scope',
  'offline-access-not-supported',
  'client-credentials-jwt',
  'client-credentials-basic',
].map((s) => `auth/${s}`);

/**
 * The suite versions and what each runs. 0.2.0-alpha.12 runs its frozen requirement sets: every client
 * scenario `conformance list --requirements <revision>` names (the scored ones, plus the extensions it runs
 * and reports without scoring), each at that revision's own wire version — exactly what
 * `conformance client --requirements <revision>` runs, one scenario per process so that 2 cores are not
 * asked for 30 clients at once (`--requirements` refuses `--scenario`; `--spec-version <revision> --force`
 * is what it sets per scenario). 0.1.16 has no requirement sets (no `--requirements`): its auth scenarios.
 */
interface SuiteTarget {
  version: string;
  /** A frozen requirement set (0.2+), or the scenario names (0.1.16). */
  requirements?: string;
  scenarios?: string[];
}

const TARGETS: SuiteTarget[] = [
  { version: '0.1.16', scenarios: [...COMMON, 'auth/cross-app-access-complete-flow'] },
  { version: '0.2.0-alpha.12', requirements: '2025-11-25' },
  { version: '0.2.0-alpha.12', requirements: '2026-07-28' },
];

/**
 * Scenarios of a requirement set that do not apply to Sherpa's client, with the reason: listed on every
 * run, never run. Keyed by `<revision> <scenario>`.
 */
export const NOT_APPLICABLE: Record<string, string> = (() => {
  const table: Record<string, string> = {};
  const add = (revisions: string[], scenarios: string[], reason: string) => {
    for (const r of revisions) for (const s of scenarios) table[`${r} ${s}`] = reason;
  };
  const both = ['2025-11-25', '2026-07-28'];
  // Sherpa's client is the authorization client: against a server that takes requests without a token it
  // stops at the probe with NO_CHALLENGE ("this server is not protected") — the finding it exists to make.
  add(
    ['2025-11-25'],
    [
      'initialize',
      'tools_call',
      'elicitation-sep1034-client-defaults',
      'sse-retry',
      'json-schema-2020-12-preservation',
    ],
    'unprotected test server: the client stops at NO_CHALLENGE by design (an open server is the finding)',
  );
  add(
    ['2026-07-28'],
    ['tools_call'],
    'wants add_numbers called with real arguments; the client calls the first tool with none',
  );
  add(
    ['2026-07-28'],
    ['json-schema-2020-12-preservation'],
    'wants json_schema_echo called with a schema argument; the client calls the first tool with none',
  );
  add(
    ['2026-07-28'],
    ['json-schema-ref-no-deref'],
    "its one check (no $ref dereferencing) passes; the scenario's server answers the tools/call the client always makes with Method not found, so the client exits 1",
  );
  add(
    ['2026-07-28'],
    ['request-metadata'],
    'protocol-version fallback on rejection and clientInfo in _meta are not implemented (both SHOULD)',
  );
  add(
    ['2026-07-28'],
    ['sep-2322-client-request-state'],
    'multi-round-trip requests (SEP-2322) are not implemented',
  );
  add(
    ['2026-07-28'],
    ['http-custom-headers'],
    'x-mcp-header parameter mirroring (Mcp-Param-*, SEP-2243) is not implemented: the client sends no tool arguments',
  );
  add(both, ['auth/dpop', 'auth/dpop-nonce'], 'DPoP (draft extension, SEP-1932) is not implemented');
  add(
    both,
    ['auth/wif-jwt-bearer'],
    'workload identity federation (draft extension, SEP-1933) is not implemented',
  );
  return table;
})();

/** A requirement set's client scenarios, read from the suite itself: required, then the unscored ones. */
export function parseRequirementList(listing: string): { scenario: string; scored: boolean; why?: string }[] {
  const out: { scenario: string; scored: boolean; why?: string }[] = [];
  let section: 'client' | 'server' | 'unscored' | undefined;
  let why = '';
  for (const line of listing.split('\n')) {
    if (/^Client scenarios/.test(line)) section = 'client';
    else if (/^Server scenarios/.test(line)) section = 'server';
    else if (/^Run and reported, but never scored/.test(line)) section = 'unscored';
    const item = /^ {2}- (\S+)$/.exec(line);
    if (section === 'client' && item) out.push({ scenario: item[1]!, scored: true });
    const group = /^ {2}(\S[^(]*) \(\d+\):$/.exec(line);
    if (section === 'unscored' && group) why = group[1]!.trim();
    const unscored = /^ {4}- (\S+) \[client\]$/.exec(line);
    if (section === 'unscored' && unscored) out.push({ scenario: unscored[1]!, scored: false, why });
  }
  return out;
}

export interface ScenarioResult {
  version: string;
  scenario: string;
  passed: boolean;
  seconds: number;
  summary: string;
}

interface RunOptions {
  only?: string;
  version?: string;
  concurrency?: number;
  log?: (line: string) => void;
  /** The installed tools (scripts/tools-manifest.ts); ensureTools(['conformance']) when absent. */
  tools?: ToolsManifest;
}

function clientCommand(): string {
  const override = process.env.SHERPA_CONFORMANCE_CLIENT;
  if (override) return override;
  const dist = join(REPO, 'dist', 'sherpa.mjs');
  if (!existsSync(dist)) throw new Error(`${dist} missing: run node esbuild.mjs first`);
  // Node 20 (this process's node) runs our client; the suite itself needs Node 22.
  return `${process.execPath} ${dist} conformance-client --client-metadata-url ${CIMD_URL}`;
}

function runScenario(
  node: string,
  bin: string,
  job: { version: string; scenario: string; extra: string[] },
  command: string,
): Promise<ScenarioResult> {
  const { version, scenario, extra } = job;
  const started = Date.now();
  return new Promise((resolveRun) => {
    const child = spawn(node, [bin, 'client', '--command', command, '--scenario', scenario, ...extra], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      // Strip ANSI colour codes (ESC [ … m) before parsing counts.
      // eslint-disable-next-line no-control-regex
      const clean = out.replace(/\u001b\[[0-9;]*m/g, '');
      const passed = code === 0 && /OVERALL: PASSED/.test(clean);
      const failed = clean
        .split('\n')
        .filter((l) => /\b(FAILURE|WARNING)\b/.test(l))
        .map((l) => l.replace(/^.*?\]\s*/, '').trim())
        .slice(0, 3);
      const totals = /Passed: (\d+\/\d+[^\n]*)/.exec(clean)?.[1] ?? `exit ${code}`;
      resolveRun({
        version,
        scenario,
        passed,
        seconds: (Date.now() - started) / 1000,
        summary: passed ? totals : `${totals}${failed.length ? ' — ' + failed.join(' | ') : ''}`,
      });
    });
  });
}

/**
 * Runs every target scenario; resolves with the counts (failed scenarios are listed in the log). A suite
 * version missing from the tools manifest fails every one of its scenarios.
 */
export async function runClientConformance(options: RunOptions = {}): Promise<{
  passed: number;
  failed: number;
  missing: string[];
  results: ScenarioResult[];
  seconds: number;
}> {
  const log = options.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const tools = options.tools ?? ensureTools(['conformance']);
  const node = requireTool(tools.node22, 'node22').node;
  const command = clientCommand();
  const started = Date.now();
  if (options.version && !TARGETS.some((t) => t.version === options.version))
    throw new Error(
      `no suite version ${options.version}; known: ${TARGETS.map((t) => t.version).join(', ')}`,
    );
  const missing: string[] = [];
  const results: ScenarioResult[] = [];
  const notApplicable: string[] = [];
  const jobs: { version: string; bin: string; scenario: string; extra: string[] }[] = [];
  for (const target of TARGETS) {
    if (options.version && target.version !== options.version) continue;
    const label = target.requirements ? `${target.version} @${target.requirements}` : target.version;
    const bin = tools.conformance?.[target.version]?.bin;
    if (!bin || !existsSync(bin)) {
      missing.push(target.version);
      const summary = `suite ${target.version} is not in the tools manifest (run node scripts/ensure-tools.mjs conformance)`;
      results.push({ version: label, scenario: '(all)', passed: false, seconds: 0, summary });
      log(`FAIL  ${label.padEnd(26)} ${'(all)'.padEnd(45)} ${summary}`);
      continue;
    }
    let scenarios = target.scenarios ?? [];
    let extra: string[] = [];
    if (target.requirements) {
      const listing = spawnSync(node, [bin, 'list', '--requirements', target.requirements], {
        encoding: 'utf8',
      });
      const listed = parseRequirementList(listing.stdout ?? '');
      if (listing.status !== 0 || listed.length === 0) {
        throw new Error(
          `conformance ${target.version} list --requirements ${target.requirements} gave nothing:\n${listing.stderr}`,
        );
      }
      scenarios = [];
      for (const { scenario, scored, why } of listed) {
        const reason = NOT_APPLICABLE[`${target.requirements} ${scenario}`];
        if (reason) {
          notApplicable.push(`N/A   ${label.padEnd(26)} ${scenario.padEnd(45)} ${reason}`);
          continue;
        }
        scenarios.push(scenario);
        if (!scored)
          log(
            `note  ${label.padEnd(26)} ${scenario.padEnd(45)} run, though the set does not score it (${why})`,
          );
      }
      extra = ['--spec-version', target.requirements, '--force'];
    }
    for (const scenario of scenarios) {
      if (options.only && !scenario.includes(options.only)) continue;
      jobs.push({ version: label, bin, scenario, extra });
    }
  }
  for (const line of notApplicable) log(line);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const r = await runScenario(node, job.bin, job, command);
      results.push(r);
      log(
        `${r.passed ? 'PASS' : 'FAIL'}  ${r.version.padEnd(26)} ${r.scenario.padEnd(45)} ${r.seconds.toFixed(1)}s  ${r.summary}`,
      );
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 3 }, worker));
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  const seconds = (Date.now() - started) / 1000;
  log(
    `\nclient conformance: ${passed} passed, ${failed} failed${missing.length ? ` (suite ${missing.join(', ')} missing)` : ''} in ${seconds.toFixed(1)}s`,
  );
  return { passed, failed, missing, results, seconds };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only');
  const version = value('--version');
  runClientConformance({ ...(only ? { only } : {}), ...(version ? { version } : {}) }).then(
    (r) => process.exit(r.failed > 0 || r.passed === 0 ? 1 : 0),
    (err: unknown) => {
      process.stderr.write(`client-run: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
