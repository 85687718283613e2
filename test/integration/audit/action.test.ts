/**
 * The GitHub Action's entry script run the way the runner runs it (action.yml's audit step): INPUT_*
 * variables in, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files, the built dist/sherpa.mjs, against the
 * lab — no network and no GitHub.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { LAB_STATIC_TOKEN } from '../../../src/servers/shared/lab-defaults';
import { collectRun, REPO_ROOT, startLabProcess, type LabProcess } from '../../support/lab';
import { signInToLab } from '../../support/lab-tokens';

const ENTRY = join(REPO_ROOT, 'scripts', 'action', 'run.mjs');

/** Runs the entry as the composite step does: `node run.mjs`, its inputs as INPUT_*, GitHub's files. */
async function runAction(dir: string, inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const output = join(dir, `output-${Object.keys(inputs).join('-')}`);
  const summary = join(dir, `summary-${Object.keys(inputs).join('-')}`);
  await writeFile(output, '');
  await writeFile(summary, '');
  const child = spawn(process.execPath, [ENTRY], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      ...Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/-/g, '_').toUpperCase()}`, v]),
      ),
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const run = await collectRun(child);
  const outputs = Object.fromEntries(
    (await readFile(output, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { ...run, outputs, summary: await readFile(summary, 'utf8') };
}

describe('GitHub Action entry (scripts/action/run.mjs)', () => {
  let lab: LabProcess;
  let dir: string;
  const declared = Object.keys(
    (parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { outputs: object }).outputs,
  );
  before(async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'sherpa.mjs')), 'the build stage ran (dist/sherpa.mjs)');
    lab = await startLabProcess();
    dir = await mkdtemp(join(tmpdir(), 'sherpa-action-'));
  });
  after(async () => {
    await lab?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('url + a token command from a secret: exit 0, SARIF and the summary written, every output declared', async () => {
    const token = (await signInToLab(lab, { user: 'alice' })).accessToken;
    const r = await runAction(
      dir,
      { url: lab.secure, 'token-command': 'printenv MCP_TOKEN', format: 'junit' },
      // As a workflow passes a secret: in the step's environment, never in the command line.
      { MCP_TOKEN: token },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(
      Object.keys(r.outputs).sort(),
      [...declared].sort(),
      'the outputs action.yml declares, no other',
    );
    const sarif = JSON.parse(await readFile(r.outputs.sarif!, 'utf8')) as {
      version: string;
      runs: { results: { ruleId: string; level: string }[] }[];
    };
    assert.equal(sarif.version, '2.1.0');
    // Nothing to fix at the secure server: at most informational notes (client-compatibility predictions
    // about the lab's sign-in service, e.g. compat.cursor's undecided cursor:// redirect).
    const serious = sarif.runs[0]!.results.filter((x) => x.level !== 'note');
    assert.deepEqual(serious, [], 'the secure server has nothing to report above a note');
    assert.ok(sarif.runs[0]!.results.every((x) => x.ruleId.startsWith('compat.')));
    assert.match(r.summary, /^# Sherpa audit: http:\/\/127\.0\.0\.1:\d+\/mcp\n/);
    assert.match(
      await readFile(r.outputs.report!, 'utf8'),
      /<testcase classname="sherpa\.audit\.token" name="token\.baseline/,
    );
    assert.equal(r.outputs['exit-code'], '0');
    for (const text of [r.stdout, r.stderr, r.summary, await readFile(r.outputs.sarif!, 'utf8')])
      assert.equal(text.includes(token), false);
    // The report's text is printed with workflow commands stopped (a server's words cannot set outputs).
    const stop = /^::stop-commands::([0-9a-f-]{36})$/m.exec(r.stdout)?.[1];
    assert.ok(stop && r.stdout.includes(`::${stop}::`), r.stdout);
  });

  test('targets with one failing server: exit 1 at fail-on must, the job summary names what to fix, evidence kept', async () => {
    const list = join(dir, 'targets.txt');
    await writeFile(list, `${lab.vulnerable}\n${lab.secure}\n`);
    const evidence = join(dir, 'evidence');
    const r = await runAction(
      dir,
      {
        targets: list,
        'token-commands': `${lab.vulnerable}=printenv STATIC_TOKEN`,
        'evidence-dir': evidence,
        format: 'json',
        concurrency: '2',
      },
      { STATIC_TOKEN: LAB_STATIC_TOKEN },
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.outputs['exit-code'], '1');
    assert.match(r.stdout, /^::error title=Sherpa audit::findings at or above fail-on failed$/m);
    assert.match(r.summary, /^# Sherpa audit: 2 servers/);
    assert.match(r.summary, /static\.shared-token/);
    assert.equal(r.outputs['evidence-dir'], evidence);
    assert.ok(existsSync(join(evidence, 'index.json')));
    const sarif = JSON.parse(await readFile(r.outputs.sarif!, 'utf8')) as {
      runs: { results: { ruleId: string }[] }[];
    };
    assert.ok(sarif.runs[0]!.results.some((x) => x.ruleId === 'static.shared-token'));
    assert.equal((r.stdout + r.summary).includes(LAB_STATIC_TOKEN), false);

    const never = await runAction(dir, { targets: list, 'fail-on': 'never' });
    assert.equal(never.code, 0);
  });

  test('bad inputs fail the step with an ::error:: naming the input, and no outputs', async () => {
    const r = await runAction(dir, { url: lab.secure, targets: 'x' });
    assert.equal(r.code, 2);
    assert.match(
      r.stdout,
      /^::error title=Sherpa audit::give exactly one of the inputs `url` and `targets`$/m,
    );
    assert.deepEqual(r.outputs, {});
  });
});
