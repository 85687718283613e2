import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKS } from '../../../../src/core/audit/catalogue';
import { failsAt, toFinding, type AuditReport } from '../../../../src/core/audit/findings';
import { formatMarkdown, formatSarif, formatText } from '../../../../src/core/audit/report-format';

const report = (findings: AuditReport['findings']): AuditReport => ({
  target: 'https://mcp.example.com/mcp',
  startedAt: '2026-12-01T00:00:00.000Z',
  findings,
});
const hostile = '| [x](command:evil) <img src=x> `code` \u001b]0;t\u0007';
const sample = report([
  toFinding(CHECKS.prmFound, {
    status: 'fail',
    detail: `none ${hostile}`,
    evidence: [
      { request: 'GET https://mcp.example.com/.well-known/oauth-protected-resource/mcp', status: 404 },
    ],
  }),
  toFinding(CHECKS.challengeScope, { status: 'fail', detail: 'no scope parameter' }),
  toFinding(CHECKS.tokenTampered, { status: 'pass', detail: 'refused (401)' }),
  toFinding(CHECKS.tokenExpired, { status: 'skip', detail: 'no expired token' }),
]);

describe('audit reports', () => {
  it('failsAt honours the --fail-on level', () => {
    assert.equal(failsAt(sample, 'must'), true);
    assert.equal(
      failsAt(report([sample.findings[1]!]), 'must'),
      false,
      'a SHOULD failure does not fail --fail-on must',
    );
    assert.equal(failsAt(report([sample.findings[1]!]), 'should'), true);
    assert.equal(failsAt(sample, 'never'), false);
  });

  it('a passing or skipped finding carries no remedy; a failing one does', () => {
    assert.equal(sample.findings[2]!.remedy, '');
    assert.match(sample.findings[0]!.remedy, /RFC 9728|well-known/);
  });

  it('Markdown escapes what the server said (no links, images, table breaks or escapes)', () => {
    const md = formatMarkdown(sample);
    assert.doesNotMatch(md, /\[x\]\(command:/);
    assert.doesNotMatch(md, /(^|[^\\])<img/, 'an unescaped tag would render');
    assert.equal(md.includes('\u001b'), false);
    assert.match(md, /## What to fix/);
    // …and the server's text is there, escaped: absence checks alone would pass on an empty report.
    assert.ok(md.includes('none \\| \\[x\\](command:evil) \\<img src=x\\> \\`code\\` ?\\]0;t?'), md);
  });

  it('text output has one line per finding, controls made visible', () => {
    const text = formatText(sample);
    assert.equal(text.includes('\u001b'), false);
    assert.ok(text.includes('none | [x](command:evil) <img src=x> `code` ?]0;t?'), text);
    assert.equal(text.match(/^\S+ (FAIL|PASS|SKIP|WARN) /gm)?.length, sample.findings.length, text);
    assert.match(text, /✘ FAIL must\s+prm\.found/);
    assert.match(text, /2 fail/);
  });

  it('SARIF: a rule per check, a result per failure, levels by MUST/SHOULD', () => {
    const log = JSON.parse(formatSarif(sample)) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: { ruleId: string; level: string; ruleIndex: number }[];
      }[];
    };
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0]!;
    assert.equal(run.tool.driver.rules.length, Object.keys(CHECKS).length);
    assert.deepEqual(
      run.results.map((r) => [r.ruleId, r.level]),
      [
        ['prm.found', 'error'],
        ['unauth.challenge-scope', 'warning'],
      ],
    );
    for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId);
  });

  it('every check in the catalogue has a unique id, a spec clause and (unless info) a remedy', () => {
    const ids = Object.values(CHECKS).map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const c of Object.values(CHECKS)) {
      assert.ok(c.spec.length > 5, c.id);
      if (c.level !== 'info') assert.ok(c.remedy.length > 10, c.id);
    }
  });
});
