/**
 * Runs the official MCP conformance suite's client `auth/*` scenarios against `sherpa conformance-client`
 * for both installed suite versions (0.1.16 and 0.2.0-alpha.12 at spec 2026-07-28), printing one
 * PASS/FAIL line per scenario and a total. Builds nothing: expects `node esbuild.mjs` to have produced
 * dist/sherpa.mjs, and the suites + Node 22 from scripts/ensure-tools.mjs, found through its manifest
 * (scripts/tools-manifest.ts). A suite version the manifest does not have is a failure, never a skip: a
 * run that could not test a version must not look like one that did.
 *
 *   node --import tsx test/conformance/client-run.ts [--only <substring>] [--version 0.1.16|0.2.0-alpha.12]
 *
 * SHERPA_CONFORMANCE_CLIENT overrides the client command (e.g. to run the sources through tsx).
 * Exported for scripts/test.mjs: runClientConformance().
 */
import { spawn } from 'node:child_process';
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

interface SuiteTarget {
  version: string;
  scenarios: string[];
  /** Extra CLI arguments per scenario (0.2 needs the spec version for 2026-07-28 scenarios). */
  args: (scenario: string) => string[];
}

const TARGETS: SuiteTarget[] = [
  { version: '0.1.16', scenarios: [...COMMON, 'auth/cross-app-access-complete-flow'], args: () => [] },
  {
    version: '0.2.0-alpha.12',
    scenarios: [
      ...COMMON,
      ...[
        'enterprise-managed-authorization',
        'authorization-server-migration',
        'iss-supported',
        'iss-not-advertised',
        'iss-supported-missing',
        'iss-wrong-issuer',
        'iss-unexpected',
        'iss-normalized',
        'metadata-issuer-mismatch',
      ].map((s) => `auth/${s}`),
    ],
    args: () => [],
  },
];

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
  const jobs: { version: string; bin: string; scenario: string; extra: string[] }[] = [];
  for (const target of TARGETS) {
    if (options.version && target.version !== options.version) continue;
    const wanted = target.scenarios.filter((s) => !options.only || s.includes(options.only));
    const bin = tools.conformance?.[target.version]?.bin;
    if (!bin || !existsSync(bin)) {
      missing.push(target.version);
      for (const scenario of wanted) {
        const summary = `suite ${target.version} is not in the tools manifest (run node scripts/ensure-tools.mjs conformance)`;
        results.push({ version: target.version, scenario, passed: false, seconds: 0, summary });
        log(`FAIL  ${target.version.padEnd(15)} ${scenario.padEnd(45)} ${summary}`);
      }
      continue;
    }
    for (const scenario of wanted) {
      if (options.only && !scenario.includes(options.only)) continue;
      jobs.push({ version: target.version, bin, scenario, extra: target.args(scenario) });
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const r = await runScenario(node, job.bin, job, command);
      results.push(r);
      log(
        `${r.passed ? 'PASS' : 'FAIL'}  ${r.version.padEnd(15)} ${r.scenario.padEnd(45)} ${r.seconds.toFixed(1)}s  ${r.summary}`,
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
