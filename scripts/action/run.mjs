// The GitHub Action's entry (action.yml): INPUT_* environment variables in; the SARIF file, the Markdown
// report and the report in `format` out, their paths in $GITHUB_OUTPUT, the Markdown in
// $GITHUB_STEP_SUMMARY; the exit code is `sherpa audit`'s (0 / 1 at --fail-on / 2 not auditable).
// Plain Node (no TypeScript loader): it runs on the runner's Node 24 against the built dist/sherpa.mjs.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FORMATS = { text: 'txt', json: 'json', markdown: 'md', sarif: 'sarif', junit: 'xml' };
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** An input as the action passes it (`inputs.x` → INPUT_X); empty when not given. */
const input = (name) => (process.env[`INPUT_${name.replace(/-/g, '_').toUpperCase()}`] ?? '').trim();

/** `sherpa audit` arguments for these inputs; throws an Error naming the input for a bad one. */
export function auditArguments(outDir) {
  const url = input('url');
  const targets = input('targets');
  if (Boolean(url) === Boolean(targets))
    throw new Error('give exactly one of the inputs `url` and `targets`');
  const format = input('format') || 'junit';
  if (!(format in FORMATS))
    throw new Error(`input \`format\` must be one of ${Object.keys(FORMATS).join(', ')}`);
  const failOn = input('fail-on') || 'must';
  if (!['must', 'should', 'never'].includes(failOn))
    throw new Error('input `fail-on` must be must, should or never');
  const files = {
    sarif: join(outDir, 'sherpa-audit.sarif'),
    markdown: join(outDir, 'sherpa-audit.md'),
    report: join(outDir, `sherpa-audit-report.${FORMATS[format]}`),
  };
  const args = ['audit', ...(url ? [url] : ['--targets', targets])];
  args.push('--format', format, '--out', files.report, '--fail-on', failOn);
  args.push('--report', `sarif=${files.sarif}`, '--report', `markdown=${files.markdown}`);
  if (input('token-command')) {
    if (!url)
      throw new Error(
        'input `token-command` goes with `url`; use `token-commands` (URL=COMMAND lines) with `targets`',
      );
    args.push('--token-command', input('token-command'));
  }
  for (const line of input('token-commands')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean))
    args.push('--token-command-for', line);
  if (targets && input('concurrency')) args.push('--concurrency', input('concurrency'));
  if (input('evidence-dir')) args.push('--evidence-dir', input('evidence-dir'));
  if (input('entra-doctor') === 'true') args.push('--entra-doctor');
  return { args, files, format };
}

/** Runs the CLI; its stdout is the audited servers' words, so workflow commands are off while it prints. */
function runCli(args) {
  const cli = process.env.SHERPA_ACTION_CLI || join(ROOT, 'dist', 'sherpa.mjs');
  const stop = randomUUID();
  // A server's text in the report must not become a `::…::` workflow command (set an output, mask, fail).
  process.stdout.write(`::stop-commands::${stop}\n`);
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (err) => {
      process.stdout.write(`::${stop}::\n`);
      process.stderr.write(`sherpa action: could not run ${cli}: ${err.message}\n`);
      done(2);
    });
    child.on('exit', (code) => {
      process.stdout.write(`::${stop}::\n`);
      done(code ?? 2);
    });
  });
}

async function main() {
  const outDir = join(process.env.RUNNER_TEMP || tmpdir(), `sherpa-audit-${process.pid}`);
  await mkdir(outDir, { recursive: true });
  let plan;
  try {
    plan = auditArguments(outDir);
  } catch (err) {
    process.stdout.write(`::error title=Sherpa audit::${err.message}\n`);
    return 2;
  }
  const code = await runCli(plan.args);
  const written = async (f) =>
    (await readFile(f).then(
      () => true,
      () => false,
    ))
      ? f
      : '';
  const outputs = {
    sarif: await written(plan.files.sarif),
    markdown: await written(plan.files.markdown),
    report: await written(plan.files.report),
    'evidence-dir': input('evidence-dir'),
    'exit-code': String(code),
  };
  if (process.env.GITHUB_OUTPUT)
    await appendFile(
      process.env.GITHUB_OUTPUT,
      Object.entries(outputs)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
  if (process.env.GITHUB_STEP_SUMMARY && outputs.markdown)
    await appendFile(process.env.GITHUB_STEP_SUMMARY, (await readFile(outputs.markdown, 'utf8')) + '\n');
  if (code === 2)
    process.stdout.write('::error title=Sherpa audit::a server could not be audited (see the log)\n');
  else if (code === 1)
    process.stdout.write(`::error title=Sherpa audit::findings at or above fail-on failed\n`);
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = await main();
