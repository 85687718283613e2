/**
 * action.yml's structure (a composite action on Node 24 whose every input reaches the entry script as an
 * environment variable, never inside a shell line) and how scripts/action/run.mjs turns inputs into
 * `sherpa audit` arguments. The script run end to end against the lab: test/integration/audit/action.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { parse } from 'yaml';
// @ts-expect-error -- a plain .mjs script without type declarations
import { auditArguments } from '../../../scripts/action/run.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface ActionYml {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
const plan = auditArguments as (outDir: string) => {
  args: string[];
  files: Record<string, string>;
  format: string;
};

describe('action.yml', () => {
  it('is a composite action on Node 24', () => {
    assert.equal(action.runs.using, 'composite');
    const setup = action.runs.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    assert.equal(setup?.with?.['node-version'], '24');
    assert.ok(action.name && action.description);
    for (const s of action.runs.steps.filter((x) => x.run))
      assert.equal(s.shell, 'bash', `${s.name} names its shell`);
  });

  it('every input referenced exists, and every input reaches the entry script as INPUT_*', () => {
    const text = JSON.stringify(action.runs);
    const referenced = [...text.matchAll(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g)].map((m) => m[1]!);
    assert.ok(referenced.length > 0);
    for (const name of referenced) assert.ok(name in action.inputs, `inputs.${name} is declared`);
    const audit = action.runs.steps.find((s) => s.id === 'audit')!;
    assert.match(audit.run ?? '', /scripts\/action\/run\.mjs/);
    for (const name of Object.keys(action.inputs)) {
      const env = `INPUT_${name.replace(/-/g, '_').toUpperCase()}`;
      assert.match(
        audit.env?.[env] ?? '',
        new RegExp(`^\\$\\{\\{ inputs\\.${name} \\}\\}$`),
        `${env} carries inputs.${name}`,
      );
    }
  });

  it('no expression is spliced into a shell line (a value with quotes or $(…) must stay data)', () => {
    for (const s of action.runs.steps)
      if (s.run) assert.equal(/\$\{\{/.test(s.run), false, `${s.name}: ${s.run}`);
  });

  it('outputs come from the audit step', () => {
    for (const [name, o] of Object.entries(action.outputs))
      assert.equal(o.value, `\${{ steps.audit.outputs.${name} }}`, name);
    assert.ok('sarif' in action.outputs && 'markdown' in action.outputs);
  });
});

describe('scripts/action/run.mjs: inputs → sherpa audit arguments', () => {
  const set = (env: Record<string, string>) => {
    for (const [k, v] of Object.entries(env)) process.env[`INPUT_${k}`] = v;
  };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
  });

  it('url + token command + defaults: SARIF and Markdown always, the report in `format`', () => {
    set({ URL: 'https://mcp.example.com/mcp', TOKEN_COMMAND: 'printenv MCP_TOKEN', FAIL_ON: 'should' });
    const p = plan('/tmp/out');
    assert.deepEqual(p.args, [
      'audit',
      'https://mcp.example.com/mcp',
      '--format',
      'junit',
      '--out',
      '/tmp/out/sherpa-audit-report.xml',
      '--fail-on',
      'should',
      '--report',
      'sarif=/tmp/out/sherpa-audit.sarif',
      '--report',
      'markdown=/tmp/out/sherpa-audit.md',
      '--token-command',
      'printenv MCP_TOKEN',
    ]);
  });

  it('targets + per-URL token commands, one per line; concurrency and evidence passed on', () => {
    set({
      TARGETS: '.',
      TOKEN_COMMANDS: 'https://a.example/mcp=printenv A\n\n  https://b.example/mcp=printenv B  \n',
      CONCURRENCY: '4',
      EVIDENCE_DIR: 'evidence',
      FORMAT: 'sarif',
    });
    const p = plan('/o');
    assert.deepEqual(p.args.slice(0, 3), ['audit', '--targets', '.']);
    assert.deepEqual(
      p.args.filter((_a, i) => p.args[i - 1] === '--token-command-for'),
      ['https://a.example/mcp=printenv A', 'https://b.example/mcp=printenv B'],
    );
    assert.ok(p.args.join(' ').includes('--concurrency 4 --evidence-dir evidence'));
    assert.equal(p.files.report, '/o/sherpa-audit-report.sarif');
  });

  it('refuses what it cannot run, naming the input', () => {
    assert.throws(() => plan('/o'), /exactly one of the inputs `url` and `targets`/);
    set({ URL: 'https://a.example/mcp', TARGETS: '.' });
    assert.throws(() => plan('/o'), /exactly one/);
    delete process.env.INPUT_URL;
    set({ TOKEN_COMMAND: 'printenv X' });
    assert.throws(() => plan('/o'), /`token-command` goes with `url`/);
    set({ TOKEN_COMMAND: '', FORMAT: 'yaml' });
    assert.throws(() => plan('/o'), /input `format` must be one of/);
    set({ FORMAT: 'json', FAIL_ON: 'sometimes' });
    assert.throws(() => plan('/o'), /input `fail-on`/);
  });
});
