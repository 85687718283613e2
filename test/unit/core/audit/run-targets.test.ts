/**
 * Many servers in one run against small loopback servers: bounded concurrency, a failing target that
 * stops nothing, and the combined report in every format (SARIF checked against the OASIS schema).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Ajv04 from 'ajv-draft-04';
import { formatCombinedReport } from '../../../../src/core/audit/report-combined';
import {
  auditTargets,
  combinedExitCode,
  type CombinedAuditReport,
} from '../../../../src/core/audit/run-targets';
import type { AuditTarget } from '../../../../src/core/audit/targets';

type Mode = 'bare-401' | '500' | 'hang';

describe('auditTargets', () => {
  const servers: http.Server[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const hung = new Set<http.ServerResponse>();
  const start = async (mode: Mode): Promise<string> => {
    const server = http.createServer((req, res) => {
      if (mode === 'hang') {
        hung.add(res);
        return;
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Held briefly so that audits running at once overlap at the servers (what the counter sees).
      setTimeout(() => {
        inFlight--;
        req.resume();
        if (mode === '500') res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
        else res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      }, 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  };
  let combined: CombinedAuditReport;
  let targets: AuditTarget[];
  const finished: string[] = [];

  before(async () => {
    const [a, b, c, broken, hanging] = await Promise.all([
      start('bare-401'),
      start('bare-401'),
      start('bare-401'),
      start('500'),
      start('hang'),
    ]);
    targets = [
      { name: 'a', url: a, source: 'svc-a/.vscode/mcp.json' },
      { name: 'refused', url: 'http://127.0.0.1:9/mcp', source: 'list.txt' },
      { name: 'b', url: b, source: 'svc-b/.vscode/mcp.json' },
      { name: 'hang', url: hanging, source: 'list.txt' },
      {
        name: 'stdio',
        source: 'svc-b/.vscode/mcp.json',
        skipped: 'stdio server: a local process, nothing to audit over HTTP',
      },
      { name: 'broken', url: broken, source: 'list.txt' },
      { name: 'c', url: c, source: 'list.txt' },
    ];
    combined = await auditTargets(targets, {
      concurrency: 2,
      optionsFor: () => ({ timeoutMs: 500 }),
      onResult: (r) => finished.push(r.target.name),
    });
  });
  after(() => {
    for (const res of hung) res.destroy();
    for (const s of servers) s.close();
  });

  it('runs at most `concurrency` audits at once, in parallel, and keeps the targets order', () => {
    assert.ok(maxInFlight <= 2, `at most 2 audits at once, saw ${maxInFlight} requests in flight`);
    assert.ok(maxInFlight >= 2, 'two audits did run at the same time');
    assert.deepEqual(
      combined.results.map((r) => r.target.name),
      targets.map((t) => t.name),
    );
    assert.equal(finished.length, targets.length, 'every target reported as it finished');
  });

  it("one target's failure stops nothing: refused and timed out are that target's error, a 500 a failing report", () => {
    const by = (name: string) => combined.results.find((r) => r.target.name === name)!;
    for (const name of ['a', 'b', 'c']) assert.ok(by(name).report?.findings.length, `${name} audited`);
    assert.equal(by('refused').error?.code, 'SERVER_UNREACHABLE');
    assert.match(
      by('hang').error?.message ?? '',
      /No answer came from 127\.0\.0\.1:\d+ within 500 ms|not finished/,
    );
    // A 500 where the MCP endpoint should be: the report is kept, and the target is marked as failing.
    assert.ok(by('broken').report?.findings.length);
    assert.equal(by('broken').error?.code, 'SERVER_ERROR');
    assert.match(by('broken').error!.message, /answered initialize with 500/);
    assert.equal(by('stdio').report, undefined);
    assert.equal(by('stdio').error, undefined);
    assert.equal(combinedExitCode(combined, 'never'), 2, 'a server that could not be audited is exit 2');
    const audited = { ...combined, results: combined.results.filter((r) => r.report && !r.error) };
    assert.equal(combinedExitCode(audited, 'must'), 1);
    assert.equal(combinedExitCode(audited, 'never'), 0);
  });

  it('refuses a concurrency outside 1-16', async () => {
    await assert.rejects(auditTargets(targets, { concurrency: 0 }), /from 1 to 16/);
  });

  it('SARIF: ONE run (code scanning takes one per tool and category), an artifact per configuring file, errors as notifications', () => {
    const sarif = JSON.parse(formatCombinedReport(combined, 'sarif')) as {
      runs: {
        artifacts: { location: { uri: string } }[];
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string } };
            logicalLocations: { fullyQualifiedName: string }[];
          }[];
        }[];
        invocations: {
          executionSuccessful: boolean;
          toolExecutionNotifications: { level: string; message: { text: string } }[];
        }[];
      }[];
    };
    const require = createRequire(import.meta.url);
    const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
    const validate = new Ajv04({
      strict: false,
      allErrors: true,
      validateFormats: false,
      unicodeRegExp: false,
    }).compile(schema);
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
    assert.equal(sarif.runs.length, 1);
    const run = sarif.runs[0]!;
    assert.deepEqual(run.artifacts.map((a) => a.location.uri).sort(), [
      'list.txt',
      'svc-a/.vscode/mcp.json',
      'svc-b/.vscode/mcp.json',
    ]);
    const located = new Set(
      run.results.map(
        (r) =>
          `${r.locations[0]!.physicalLocation.artifactLocation.uri} ${r.locations[0]!.logicalLocations[0]!.fullyQualifiedName}`,
      ),
    );
    assert.ok(located.has(`svc-a/.vscode/mcp.json ${targets[0]!.url}`), [...located].join('\n'));
    assert.ok(located.has(`list.txt ${targets[5]!.url}`), 'the 500 server has results');
    assert.equal(run.invocations[0]!.executionSuccessful, false);
    assert.deepEqual(
      run.invocations[0]!.toolExecutionNotifications.map((n) => [
        n.level,
        /could not audit (refused|hang)/.test(n.message.text),
      ]),
      [
        ['error', true],
        ['error', true],
        ['error', false],
      ],
    );
  });

  it('JUnit: one testsuite per target; an error suite for a server not audited, a skipped one for stdio', () => {
    const xml = formatCombinedReport(combined, 'junit');
    const suites = [
      ...xml.matchAll(
        /<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/g,
      ),
    ];
    assert.equal(suites.length, targets.length);
    const errors = suites.filter((s) => s[4] === '1').map((s) => s[1]);
    assert.equal(errors.length, 3, errors.join());
    assert.match(xml, /type="SERVER_ERROR"/);
    assert.match(
      xml,
      /<error message="Nothing is accepting connections at 127\.0\.0\.1:9\.[^"]*" type="SERVER_UNREACHABLE">/,
    );
    assert.match(xml, /<skipped message="stdio server: a local process, nothing to audit over HTTP"\/>/);
    const [, tests, failures, errs] =
      /<testsuites name="Sherpa audit" tests="(\d+)" failures="(\d+)" errors="(\d+)"/.exec(xml)!;
    const sum = (i: number) => suites.reduce((n, s) => n + Number(s[i]), 0);
    assert.deepEqual([Number(tests), Number(failures), Number(errs)], [sum(2), sum(3), sum(4)]);
  });

  it('JSON, Markdown and text name every target with its outcome', () => {
    const json = JSON.parse(formatCombinedReport(combined, 'json')) as {
      targets: { name: string; status: string; reason?: string }[];
    };
    assert.deepEqual(
      json.targets.map((t) => [t.name, t.status]),
      [
        ['a', 'audited'],
        ['refused', 'error'],
        ['b', 'audited'],
        ['hang', 'error'],
        ['stdio', 'skipped'],
        ['broken', 'error'],
        ['c', 'audited'],
      ],
    );
    const md = formatCombinedReport(combined, 'markdown');
    assert.match(md, /^# Sherpa audit: 7 servers\n/);
    assert.match(
      md,
      /\| ✘ \| refused \(http:\/\/127\.0\.0\.1:9\/mcp\) \| list\.txt \| could not be audited: /,
    );
    assert.equal(
      (md.match(/^## Sherpa audit: /gm) ?? []).length,
      4,
      'each audited server has its report one level down',
    );
    const text = formatCombinedReport(combined, 'text');
    assert.match(text, /4 audited, 1 failing \(5xx\), 2 could not be audited, 1 skipped$/);
  });
});
