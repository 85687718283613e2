/**
 * One report for many servers (run-targets.ts) in every format `sherpa audit` writes: text and Markdown
 * (a tally per server, then each server's own report), JSON (each target with its report, error or reason
 * to skip), SARIF 2.1.0 (one run, one artifact per configuring file: report-format.ts `sarifLog`) and
 * JUnit XML (one `<testsuite>` per server; one that could not be audited is a suite with one `<error>`,
 * a skipped one a suite with one `<skipped>`).
 */
import { toTerminalLine } from '../untrusted-text';
import type { Finding } from './findings';
import {
  formatMarkdown,
  formatText,
  junitSuite,
  sarifLog,
  summarize,
  xmlEscape,
  type ReportFormat,
} from './report-format';
import type { CombinedAuditReport, TargetResult } from './run-targets';

const label = (r: TargetResult) =>
  r.target.url && r.target.name !== r.target.url ? `${r.target.name} (${r.target.url})` : r.target.name;

/** "3 audited, 1 failing (5xx), 1 could not be audited, 1 skipped". */
export function summarizeCombined(c: CombinedAuditReport): string {
  const audited = c.results.filter((r) => r.report).length;
  const failing = c.results.filter((r) => r.report && r.error).length;
  const errors = c.results.filter((r) => !r.report && r.error).length;
  const skipped = c.results.filter((r) => r.target.skipped).length;
  return `${audited} audited${failing ? `, ${failing} failing (5xx)` : ''}, ${errors} could not be audited, ${skipped} skipped`;
}

function outcome(r: TargetResult): string {
  if (r.report && r.error) return `${summarize(r.report)}; ${r.error.message}`;
  if (r.report) return summarize(r.report);
  if (r.error) return `could not be audited: ${r.error.message}`;
  return `skipped: ${r.target.skipped ?? ''}`;
}

export function formatCombinedText(c: CombinedAuditReport, o: { evidence?: boolean } = {}): string {
  const lines = [`Sherpa audit of ${c.results.length} servers (${c.startedAt})`, ''];
  for (const r of c.results)
    lines.push(
      `${r.report ? '•' : r.error ? '✘' : '-'} ${toTerminalLine(label(r))}: ${toTerminalLine(outcome(r), 400)}`,
    );
  for (const r of c.results.filter((x) => x.report))
    lines.push(
      '',
      `── ${toTerminalLine(r.target.name)} (${toTerminalLine(r.target.source)})`,
      formatText(r.report!, o),
    );
  lines.push('', summarizeCombined(c));
  return lines.join('\n');
}

const md = (s: string) => toTerminalLine(s, 500).replace(/[|\\`*_[\]<>]/g, (ch) => `\\${ch}`);

export function formatCombinedMarkdown(c: CombinedAuditReport): string {
  const mustFailed = (r: TargetResult) =>
    r.report?.findings.filter((f: Finding) => f.status === 'fail' && f.level === 'must').length ?? 0;
  const out = [
    `# Sherpa audit: ${c.results.length} servers`,
    '',
    `${c.startedAt} — ${summarizeCombined(c)}`,
    '',
    '| | server | source | result |',
    '|---|---|---|---|',
    ...c.results.map(
      (r) =>
        `| ${r.error ? '✘' : !r.report ? '-' : mustFailed(r) ? '✘' : '✔'} | ${md(label(r))} | ${md(r.target.source)} | ${md(outcome(r))}${mustFailed(r) ? ` — ${mustFailed(r)} MUST failed` : ''} |`,
    ),
  ];
  for (const r of c.results.filter((x) => x.report))
    // Each server's report one heading level down, under the combined title.
    out.push('', formatMarkdown(r.report!).replace(/^(#+) /gm, '#$1 '));
  return out.join('\n');
}

/** JSON: `{ startedAt, summary, targets: [{ name, url?, source, status, report? | error? | reason? }] }`. */
export function formatCombinedJson(c: CombinedAuditReport): string {
  return JSON.stringify(
    {
      startedAt: c.startedAt,
      summary: summarizeCombined(c),
      targets: c.results.map((r) => ({
        name: r.target.name,
        ...(r.target.url ? { url: r.target.url } : {}),
        source: r.target.source,
        status: r.error ? 'error' : r.report ? 'audited' : 'skipped',
        ...(r.report ? { report: r.report } : {}),
        ...(r.error ? { error: r.error } : {}),
        ...(r.target.skipped ? { reason: r.target.skipped } : {}),
      })),
    },
    null,
    2,
  );
}

export function formatCombinedSarif(c: CombinedAuditReport): string {
  const log = sarifLog(
    c.results.filter((r) => r.report).map((r) => ({ report: r.report!, locationUri: r.target.source })),
    c.results
      .filter((r) => r.error)
      .map((r) => ({ target: label(r), locationUri: r.target.source, message: r.error!.message })),
    c.startedAt,
  );
  return JSON.stringify(log, null, 2);
}

export function formatCombinedJunit(c: CombinedAuditReport): string {
  const a = (s: string) => xmlEscape(toTerminalLine(s, 1000));
  const time = a(c.startedAt.replace(/Z$/, ''));
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const suites = c.results.flatMap((r) => {
    const name = label(r);
    const testcase = (body: string) => [
      `    <testcase classname="sherpa.audit.target" name="${a(`audit ${name}`)}" time="0">`,
      `      ${body}`,
      '    </testcase>',
    ];
    const error = r.error
      ? testcase(
          `<error message="${a(r.error.message)}" type="${a(r.error.code)}">${a(`could not audit ${name}: ${r.error.message}`)}</error>`,
        )
      : [];
    if (r.error) errors += 1;
    if (r.report) {
      tests += r.report.findings.length + (r.error ? 1 : 0);
      failures += r.report.findings.filter((f) => f.status === 'fail').length;
      skipped += r.report.findings.filter((f) => f.status === 'skip').length;
      return junitSuite(r.report, name, { cases: error, errors: r.error ? 1 : 0 });
    }
    tests += 1;
    const one = (body: string[], counts: string) => [
      `  <testsuite name="${a(name)}" tests="1" ${counts} timestamp="${time}" time="0">`,
      ...body,
      '  </testsuite>',
    ];
    if (r.error) return one(error, 'failures="0" errors="1" skipped="0"');
    skipped += 1;
    return one(
      testcase(`<skipped message="${a(r.target.skipped ?? '')}"/>`),
      'failures="0" errors="0" skipped="1"',
    );
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="Sherpa audit" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

export function formatCombinedReport(
  c: CombinedAuditReport,
  format: ReportFormat,
  o: { evidence?: boolean } = {},
): string {
  switch (format) {
    case 'json':
      return formatCombinedJson(c);
    case 'markdown':
      return formatCombinedMarkdown(c);
    case 'sarif':
      return formatCombinedSarif(c);
    case 'junit':
      return formatCombinedJunit(c);
    default:
      return formatCombinedText(c, o);
  }
}
