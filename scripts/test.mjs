#!/usr/bin/env node
// THE test command (`npm test`). Runs every stage in order and stops at the first failing one:
//   lint → build → unit → integration → tools → infra → conformance → vscode → e2e
// Each stage's own output streams through; its pass/fail counts are parsed from that output (node's
// test runner spec summary, or the "N passed, N failed" line our runners print).
// Lint and build count as one check each. The last line is always `N passed, N failed[, N skipped]`.
//
// A green run means every stage proved it ran: a step whose counts cannot be read is a failure (even
// with exit 0), a step that ran no test is a failure, and each test stage must reach its `min` (a floor a
// little below today's count, so a folder that silently stops being collected turns the run red; raise it
// when you add tests, never lower it to make a run pass).
//
//   SHERPA_TEST_ONLY=unit,integration npm test     run a subset (developer convenience)
//   SHERPA_STAGE_TIMEOUT_S=900                     per-stage time limit (default 900 s)
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunRows, renderText, RESULTS_DIR } from './compat-matrix.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE = process.execPath;
const TSX = ['--import', 'tsx'];

/** Counts from node's test runner summary (`ℹ pass 12` …); cancelled tests count as failed. */
function parseNodeTest(out) {
  const n = (k) => Number(new RegExp(`^ℹ ${k} (\\d+)`, 'm').exec(out)?.[1] ?? NaN);
  if (Number.isNaN(n('pass'))) return undefined;
  return {
    passed: n('pass'),
    failed: n('fail') + (n('cancelled') || 0),
    skipped: (n('skipped') || 0) + (n('todo') || 0),
  };
}

/** Counts from the last `N passed, N failed[, N skipped]` line our own runners print. */
function parseCountsLine(out) {
  const all = [...out.matchAll(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)];
  const m = all.at(-1);
  if (!m) return undefined;
  return { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) };
}

/** A stage with no tests of its own: one check, passed when the command exits 0. */
const single = (_out, code) =>
  code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };

const STAGES = [
  {
    name: 'lint',
    steps: [
      ['npx', ['prettier', '--check', '.']],
      ['npx', ['eslint', '.']],
      ['npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
    ],
    parse: single,
  },
  { name: 'build', steps: [[NODE, ['esbuild.mjs']]], parse: single },
  { name: 'unit', steps: [['npm', ['run', '--silent', 'test:unit']]], parse: parseNodeTest, min: 545 },
  // Two files at a time (package.json test:integration, --test-concurrency=2): every file starts its own
  // processes on ephemeral ports with its own temp folders (each file is its own process) — a new file
  // must too: no fixed listening port, no shared folder it writes.
  {
    name: 'integration',
    steps: [['npm', ['run', '--silent', 'test:integration']]],
    parse: parseNodeTest,
    min: 340,
  },
  // Installs/verifies the cached tools the next stages need (a fast no-op when cached).
  { name: 'tools', steps: [[NODE, ['scripts/ensure-tools.mjs']]], parse: single, quiet: true },
  // infra/ compiled and linted by the pinned Bicep CLI, tests on the compiled ARM template, the first run
  // against the Azure stand-in, the image's command on Node 24 (needs the build and the tools).
  {
    name: 'infra',
    steps: [['npm', ['run', '--silent', 'test:infra']]],
    parse: parseNodeTest,
    min: 38,
  },
  {
    name: 'conformance',
    steps: [[NODE, [...TSX, 'test/conformance/run.ts']]],
    parse: parseCountsLine,
    min: 78,
  },
  // The suite's counts come from the extension host as a file (test/vscode/suite/index.ts), printed by
  // the runner as one counts line — not from mocha's report relayed through Chromium's console.
  {
    name: 'vscode',
    steps: [[NODE, [...TSX, 'test/vscode/run-code-server.ts']]],
    parse: parseCountsLine,
    min: 66,
  },
  {
    name: 'e2e',
    // One file per step: sequential, so two code-servers (and two `npm run package`) never overlap.
    steps: [
      [NODE, [...TSX, '--test', '--test-reporter=spec', 'test/e2e/ui.test.ts']],
      [NODE, [...TSX, '--test', '--test-reporter=spec', 'test/e2e/vscode-mcp-client.test.ts']],
      [NODE, [...TSX, '--test', '--test-reporter=spec', 'test/e2e/audit-view.test.ts']],
      [NODE, [...TSX, '--test', '--test-reporter=spec', 'test/e2e/ui-local.test.ts']],
      [NODE, [...TSX, '--test', '--test-reporter=spec', 'test/e2e/entra-sign-in.test.ts']],
    ],
    parse: parseNodeTest,
    min: 17,
  },
];

const NEEDS_TOOLS = new Set(['infra', 'conformance', 'vscode', 'e2e']);

/** Runs one command in its own process group (so a timeout can stop everything it started). */
function runStep(cmd, args, { quiet, timeoutMs }) {
  return new Promise((resolveStep) => {
    const child = spawn(cmd, args, {
      cwd: REPO,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    const take = (stream) => (d) => {
      const s = d.toString();
      out += s;
      // The tools stage prints a long JSON manifest on stdout: keep its progress (stderr) only.
      if (!(quiet && stream === process.stdout)) stream.write(s);
    };
    child.stdout.on('data', take(process.stdout));
    child.stderr.on('data', take(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolveStep({ code: 127, out: `${out}\n${err.message}`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveStep({ code: code ?? (signal ? 128 : 1), out, timedOut });
    });
  });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Why one step did not prove it passed, or undefined when it did: a non-zero exit (even if every parsed
 * test passed — e.g. a crash after the run), output whose counts cannot be read, a failed test, or a run
 * of no tests at all.
 */
function judgeStep(r, stepCounts, readable) {
  if (r.code !== 0) return `exited ${r.code}`;
  if (!readable) return 'exited 0 but printed no test counts that could be read';
  if (stepCounts.failed > 0) return `${stepCounts.failed} failed`;
  if (stepCounts.passed === 0) return 'ran no tests';
  return undefined;
}

async function main() {
  const only = (process.env.SHERPA_TEST_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((o) => !STAGES.some((s) => s.name === o));
  if (unknown.length) {
    console.error(
      `SHERPA_TEST_ONLY: unknown stage(s) ${unknown.join(', ')}; stages: ${STAGES.map((s) => s.name).join(', ')}`,
    );
    process.exit(2);
  }
  const selected = STAGES.filter((s) => {
    if (only.length === 0) return true;
    if (s.name === 'tools') return only.some((o) => NEEDS_TOOLS.has(o));
    // The client conformance runner drives dist/sherpa.mjs: build it first.
    if (s.name === 'build' && (only.includes('conformance') || only.includes('infra'))) return true;
    return only.includes(s.name);
  });
  const timeoutMs = Number(process.env.SHERPA_STAGE_TIMEOUT_S ?? 900) * 1000;
  // The interop tests write the compatibility matrix's rows there (scripts/compat-matrix.mjs): this run's only.
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  process.env.SHERPA_MATRIX_DIR = RESULTS_DIR;
  const total = { passed: 0, failed: 0, skipped: 0 };
  const rows = [];
  const started = Date.now();

  for (const stage of selected) {
    console.log(`\n━━━ ${stage.name} ━━━`);
    const stageStart = Date.now();
    let counts = { passed: 0, failed: 0, skipped: 0 };
    let ok = true;
    let note = '';
    for (const [cmd, args] of stage.steps) {
      const r = await runStep(cmd, args, { quiet: stage.quiet, timeoutMs });
      // Strip ANSI colour codes (ESC [ … m) before parsing counts.
      // eslint-disable-next-line no-control-regex
      const clean = r.out.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
      const parsed = stage.parse(clean, r.code);
      const stepCounts = parsed ?? { passed: 0, failed: 0, skipped: 0 };
      const problem = judgeStep(r, stepCounts, parsed !== undefined);
      // A step that did not prove it ran counts as one failure even when its own counts say none.
      if (problem && stepCounts.failed === 0) stepCounts.failed = 1;
      counts = {
        passed: counts.passed + stepCounts.passed,
        failed: counts.failed + stepCounts.failed,
        skipped: counts.skipped + stepCounts.skipped,
      };
      if (problem) {
        ok = false;
        note = r.timedOut
          ? `timed out after ${seconds(timeoutMs)}: ${cmd} ${args.join(' ')}`
          : `${cmd} ${args.join(' ')}: ${problem}`;
        break;
      }
    }
    if (ok && stage.min !== undefined && counts.passed < stage.min) {
      ok = false;
      counts.failed += 1;
      note = `only ${counts.passed} passed, the stage expects at least ${stage.min}: tests went missing`;
    }
    const ms = Date.now() - stageStart;
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    rows.push({ name: stage.name, ok, counts, ms, note });
    console.log(
      `━━━ ${stage.name}: ${ok ? 'OK' : 'FAILED'} — ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''} in ${seconds(ms)}${note ? ` (${note})` : ''}`,
    );
    if (!ok) break;
  }

  const matrix = readRunRows(RESULTS_DIR);
  if (matrix.length) {
    console.log(
      `\nCompatibility matrix, measured by this run (node scripts/compat-matrix.mjs update → docs/compatibility.md):`,
    );
    console.log(renderText(matrix));
  }

  console.log('\nstage         result   passed  failed  skipped      time');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(13)} ${(r.ok ? 'ok' : 'FAILED').padEnd(7)} ${String(r.counts.passed).padStart(7)} ${String(r.counts.failed).padStart(7)} ${String(r.counts.skipped).padStart(8)} ${seconds(r.ms).padStart(9)}`,
    );
  }
  const notRun = selected.slice(rows.length).map((s) => s.name);
  if (notRun.length) console.log(`not run (fail fast): ${notRun.join(', ')}`);
  console.log(`total time ${seconds(Date.now() - started)}`);
  console.log(
    `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`,
  );
  process.exit(total.failed > 0 || rows.some((r) => !r.ok) ? 1 : 0);
}

await main();
