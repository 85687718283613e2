/**
 * An audit report as text (terminal), JSON (pipelines), Markdown (a PR comment, the extension's export),
 * SARIF 2.1.0 (GitHub code scanning) and JUnit XML (CI test dashboards). Everything shown passes through untrusted-text.ts: details and
 * evidence quote the audited server.
 */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { toTerminalLine } from '../untrusted-text';
import { CHECKS } from './catalogue';
import type { AuditReport, Finding } from './findings';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'sarif' | 'junit';

const MARK: Record<Finding['status'], string> = { pass: '✔', fail: '✘', warn: '!', skip: '-' };

/** Counts per status, e.g. "18 pass, 3 fail, 1 warn, 9 skip". */
export function summarize(report: AuditReport): string {
  const n = (s: Finding['status']) => report.findings.filter((f) => f.status === s).length;
  return `${n('pass')} pass, ${n('fail')} fail, ${n('warn')} warn, ${n('skip')} skip`;
}

export function formatText(report: AuditReport, o: { evidence?: boolean } = {}): string {
  const lines = [`Sherpa audit of ${toTerminalLine(report.target)} (${report.startedAt})`, ''];
  for (const f of report.findings) {
    lines.push(
      `${MARK[f.status]} ${f.status.toUpperCase().padEnd(4)} ${f.level.padEnd(6)} ${f.id.padEnd(28)} ${toTerminalLine(f.detail, 300)}`,
    );
    if (f.status === 'fail' && f.remedy) lines.push(`      → ${f.remedy}`);
    if (o.evidence)
      for (const e of f.evidence) lines.push(`      · ${toTerminalLine(describeEvidence(e), 400)}`);
  }
  lines.push('', summarize(report));
  return lines.join('\n');
}

export function formatJson(report: AuditReport): string {
  return JSON.stringify(report, null, 2);
}

const md = (s: string) => toTerminalLine(s, 500).replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);

export function formatMarkdown(report: AuditReport): string {
  const out = [
    `# Sherpa audit: ${md(report.target)}`,
    '',
    `${report.startedAt} — ${summarize(report)}`,
    '',
    '| | check | level | OWASP | result |',
    '|---|---|---|---|---|',
    ...report.findings.map(
      (f) =>
        `| ${MARK[f.status]} | ${md(f.title)} (\`${f.id}\`) | ${f.level} | ${f.owasp.join(', ')} | ${md(f.detail)} |`,
    ),
  ];
  const failed = report.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
  if (failed.length) {
    out.push('', '## What to fix', '');
    for (const f of failed) {
      out.push(`### ${md(f.title)} (\`${f.id}\`, ${f.level.toUpperCase()})`, '', `${md(f.detail)}`, '');
      if (f.remedy) out.push(`**Remedy:** ${md(f.remedy)}`, '');
      out.push(`**Spec:** ${md(f.spec)}`, '');
      for (const e of f.evidence) out.push(`- ${md(describeEvidence(e))}`);
      out.push('');
    }
  }
  return out.join('\n');
}

export function describeEvidence(e: Finding['evidence'][number]): string {
  const headers = e.headers
    ? Object.entries(e.headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')
    : '';
  return [e.request, e.status !== undefined ? `→ ${e.status}` : '', headers, e.note ?? '']
    .filter(Boolean)
    .join(' ');
}

/**
 * SARIF 2.1.0 (OASIS): one rule per check, one result per failed or warned finding. Code scanning needs
 * a file location; `locationUri` is the file that configures the server (default `.vscode/mcp.json`),
 * and the server URL travels in the result's logical location and message.
 */
export function formatSarif(report: AuditReport, o: { locationUri?: string } = {}): string {
  return JSON.stringify(sarifLog([{ report, locationUri: o.locationUri ?? '.vscode/mcp.json' }]), null, 2);
}

/** One rule per check of the catalogue, in its order (results point into it by `ruleIndex`). */
function sarifRules(): ReportingDescriptor[] {
  return Object.values(CHECKS).map((c) => ({
    id: c.id,
    name: c.id.replace(/[.-](\w)/g, (_m, ch: string) => ch.toUpperCase()),
    shortDescription: { text: c.title },
    fullDescription: { text: c.spec },
    help: { text: c.remedy || c.title },
    defaultConfiguration: { level: c.level === 'must' ? 'error' : c.level === 'should' ? 'warning' : 'note' },
    properties: {
      tags: ['security', 'mcp', ...c.owasp],
      ...(c.level === 'must'
        ? { 'security-severity': '8.0' }
        : c.level === 'should'
          ? { 'security-severity': '5.0' }
          : {}),
    },
  }));
}

/**
 * ONE run for every audited server: GitHub code scanning takes a single run per tool and category in an
 * upload (multiple runs of one tool in a file were deprecated in 2024 and are refused since June 2025),
 * so several servers are several artifacts — each result located in the file that configures its
 * server — and a server that could not be audited is a tool execution notification, not a result.
 */
export function sarifLog(
  audited: { report: AuditReport; locationUri: string }[],
  failures: { target: string; locationUri: string; message: string }[] = [],
  startedAt = audited[0]?.report.startedAt ?? new Date().toISOString(),
): Log {
  const rules = sarifRules();
  const results: Result[] = audited.flatMap(({ report, locationUri }) =>
    report.findings
      .filter((f) => f.status === 'fail' || f.status === 'warn')
      .map((f) => ({
        ruleId: f.id,
        ruleIndex: rules.findIndex((r) => r.id === f.id),
        // SARIF 2.1.0 §3.27.10: an informational finding (e.g. a client-compatibility prediction) is a note.
        level:
          f.level === 'info'
            ? ('note' as const)
            : f.status === 'warn' || f.level !== 'must'
              ? ('warning' as const)
              : ('error' as const),
        message: { text: `${toTerminalLine(f.detail, 1000)} (${toTerminalLine(report.target)})` },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: locationUri }, region: { startLine: 1 } },
            logicalLocations: [{ fullyQualifiedName: report.target, kind: 'resource' }],
          },
        ],
        partialFingerprints: { 'sherpaFinding/v1': `${f.id}:${report.target}` },
      })),
  );
  const artifacts = [...new Set([...audited, ...failures].map((a) => a.locationUri))].map((uri) => ({
    location: { uri },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Sherpa', fullName: 'Sherpa MCP identity audit', version: '0.1.0', rules } },
        ...(audited.length + failures.length > 1 ? { artifacts } : {}),
        results,
        invocations: [
          {
            executionSuccessful: failures.length === 0,
            startTimeUtc: startedAt,
            ...(failures.length
              ? {
                  toolExecutionNotifications: failures.map((f) => ({
                    level: 'error' as const,
                    message: {
                      text: `could not audit ${toTerminalLine(f.target)}: ${toTerminalLine(f.message, 1000)}`,
                    },
                    locations: [{ physicalLocation: { artifactLocation: { uri: f.locationUri } } }],
                  })),
                }
              : {}),
          },
        ],
      },
    ],
  };
}

// XML 1.0 §2.2 allows tab, LF, CR and everything from U+0020 up (minus surrogates and U+FFFE/F); a
// server's text with other controls would make the whole file unreadable, so they are made visible.
const XML_INVALID =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text or attribute content: the five XML escapes, and characters XML cannot carry shown as `?`. */
export function xmlEscape(s: string): string {
  return s.replace(XML_INVALID, '?').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/**
 * JUnit XML as CI dashboards read it (the Ant/Surefire schema Jenkins, GitLab and Azure Pipelines take):
 * one `<testsuite>` per audited server, one `<testcase>` per check (classname `sherpa.audit.<group>`),
 * `<failure type="must|should|info">` with the remedy, spec and evidence for a failed check, `<skipped>` for
 * a skipped one, and a warning as a passing test whose `<system-out>` says WARN — a dashboard counts only
 * what fails, as `--fail-on` does.
 */
export function formatJunit(report: AuditReport): string {
  const count = (s: Finding['status']) => report.findings.filter((f) => f.status === s).length;
  const totals = `tests="${report.findings.length}" failures="${count('fail')}" errors="0" skipped="${count('skip')}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="Sherpa audit" ${totals}>`,
    ...junitSuite(report),
    '</testsuites>',
    '',
  ].join('\n');
}

const xmlAttr = (s: string) => xmlEscape(toTerminalLine(s, 1000));

/** One `<testsuite>` (its lines, indented for `<testsuites>`): one `<testcase>` per check of `report`. */
export function junitSuite(
  report: AuditReport,
  name = report.target,
  extra: { cases: string[]; errors: number } = { cases: [], errors: 0 },
): string[] {
  const a = xmlAttr;
  const count = (s: Finding['status']) => report.findings.filter((f) => f.status === s).length;
  const cases = report.findings.map((f) => {
    const head = `    <testcase classname="sherpa.audit.${a(f.id.split('.')[0]!)}" name="${a(`${f.id}: ${f.title}`)}" time="0">`;
    const evidence = f.evidence.map((e) => `evidence: ${describeEvidence(e)}`);
    const info = [`level: ${f.level}`, `OWASP: ${f.owasp.join(', ') || '-'}`, `spec: ${f.spec}`];
    const body =
      f.status === 'fail'
        ? [
            `      <failure message="${a(f.detail)}" type="${f.level}">${xmlEscape(
              [f.detail, `remedy: ${f.remedy}`, ...info, ...evidence]
                .map((l) => toTerminalLine(l, 1000))
                .join('\n'),
            )}</failure>`,
          ]
        : f.status === 'skip'
          ? [`      <skipped message="${a(f.detail)}"/>`]
          : [
              `      <system-out>${xmlEscape(
                [`${f.status.toUpperCase()}: ${f.detail}`, ...info, ...evidence]
                  .map((l) => toTerminalLine(l, 1000))
                  .join('\n'),
              )}</system-out>`,
            ];
    return [head, ...body, '    </testcase>'].join('\n');
  });
  const totals = `tests="${report.findings.length + extra.errors}" failures="${count('fail')}" errors="${extra.errors}" skipped="${count('skip')}"`;
  return [
    `  <testsuite name="${a(name)}" ${totals} timestamp="${a(report.startedAt.replace(/Z$/, ''))}" time="0">`,
    ...extra.cases,
    ...cases,
    '  </testsuite>',
  ];
}

export function formatReport(
  report: AuditReport,
  format: ReportFormat,
  o: { evidence?: boolean; locationUri?: string } = {},
): string {
  switch (format) {
    case 'json':
      return formatJson(report);
    case 'markdown':
      return formatMarkdown(report);
    case 'sarif':
      return formatSarif(report, o);
    case 'junit':
      return formatJunit(report);
    default:
      return formatText(report, o);
  }
}
