/** `sherpa audit` as a pipeline runs it: exit codes, formats, SARIF 2.1.0 valid against its schema. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Ajv04 from 'ajv-draft-04';
import { LAB_STATIC_TOKEN } from '../../../src/servers/shared/lab-defaults';
import { runCli, startLabProcess, type LabProcess } from '../../support/lab';
import { signInToLab } from '../../support/lab-tokens';

const run = (args: string[]) => runCli(['audit', ...args]);

describe('sherpa audit (CLI)', () => {
  let lab: LabProcess;
  let dir: string;
  let tokenFile: string;
  before(async () => {
    lab = await startLabProcess();
    dir = await mkdtemp(join(tmpdir(), 'sherpa-audit-'));
    tokenFile = join(dir, 'token');
    await writeFile(tokenFile, (await signInToLab(lab, { user: 'alice' })).accessToken, { mode: 0o600 });
  });
  after(async () => {
    await lab?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('secure server: exit 0, JSON shaped as documented, no token in the output', async () => {
    const r = await run([lab.secure, '--token-command', `cat ${tokenFile}`, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { target: string; findings: Record<string, unknown>[] };
    assert.equal(report.target, lab.secure);
    // The shape check below means something only if there are findings, and the probes that need the
    // token ran (a report of the unauthenticated checks alone would also be "shaped as documented").
    const status = (id: string) => report.findings.find((f) => f.id === id)?.status;
    assert.equal(status('unauth.initialize-401'), 'pass', JSON.stringify(report.findings));
    assert.equal(status('token.baseline'), 'pass');
    assert.equal(status('token.alg-none'), 'pass');
    for (const f of report.findings) {
      for (const k of ['id', 'title', 'status', 'level', 'owasp', 'spec', 'evidence', 'remedy'])
        assert.ok(k in f, `${String(f.id)} has ${k}`);
      assert.ok(['pass', 'fail', 'warn', 'skip'].includes(String(f.status)));
    }
    const token = await readFile(tokenFile, 'utf8');
    assert.equal(r.stdout.includes(token), false);
  });

  test('vulnerable server: exit 1 on --fail-on must, 0 on never; the text names the static token', async () => {
    const must = await run([lab.vulnerable, '--token-command', `echo ${LAB_STATIC_TOKEN}`]);
    assert.equal(must.code, 1);
    assert.match(must.stdout, /FAIL must\s+static\.shared-token\s+STATIC TOKEN/);
    assert.equal(must.stdout.includes(LAB_STATIC_TOKEN), false, 'the static token is redacted');
    const never = await run([lab.vulnerable, '--fail-on', 'never']);
    assert.equal(never.code, 0);
  });

  test('SARIF output is valid SARIF 2.1.0 and carries one result per failed check', async () => {
    const out = join(dir, 'vulnerable.sarif');
    const r = await run([lab.vulnerable, '--format', 'sarif', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    const sarif = JSON.parse(await readFile(out, 'utf8')) as {
      runs: { results: { ruleId: string; level: string }[] }[];
    };
    const require = createRequire(import.meta.url);
    const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
    // The OASIS SARIF 2.1.0 schema is JSON Schema draft-04.
    // unicodeRegExp off: one pattern in the published schema (language tags) is not valid with the u flag.
    const ajv = new Ajv04({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    assert.equal(validate({ version: '2.1.0' }), false, 'the validator does reject an incomplete log');
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
    const ids = sarif.runs[0]!.results.map((x) => x.ruleId);
    assert.ok(ids.includes('prm.found') && ids.includes('static.shared-token'), ids.join(','));
    assert.equal(sarif.runs[0]!.results.find((x) => x.ruleId === 'prm.found')?.level, 'error');
  });

  test('markdown names what to fix; an unreachable server exits 2 with why; bad usage exits 2', async () => {
    const md = await run([lab.vulnerable, '--format', 'markdown', '--fail-on', 'never']);
    assert.match(md.stdout, /## What to fix/);
    assert.match(md.stdout, /\*\*Remedy:\*\*/);
    const junit = await run([lab.vulnerable, '--format', 'junit']);
    assert.equal(junit.code, 1, 'the exit code follows --fail-on whatever the format');
    assert.match(junit.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="Sherpa audit"/);
    assert.match(
      junit.stdout,
      /<testcase classname="sherpa\.audit\.static" name="static\.shared-token: [^"]*" time="0">\n\s*<failure message="answers 401 but no OAuth discovery[^"]*" type="must">/,
    );
    assert.equal(junit.stdout.includes(LAB_STATIC_TOKEN), false, 'the static token is redacted');
    const down = await run(['http://127.0.0.1:9/mcp']);
    assert.equal(down.code, 2);
    // The sentence `sherpa connect` prints for the same failure (core/net/network-failure.ts), host once.
    assert.match(
      down.stderr,
      /^sherpa audit: Nothing is accepting connections at 127\.0\.0\.1:9\. \[SERVER_UNREACHABLE\]\n {2}→ Is the server running\?/,
    );
    assert.equal((await run([])).code, 2);
    assert.equal((await run([lab.secure, '--format', 'yaml'])).code, 2);
    const noToken = await run([lab.secure, '--token-command', 'false']);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /--token-command did not print a token/);
  });
});
