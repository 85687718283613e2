/**
 * Verify Deployment reports as text (terminal), JSON (`{ "checks": [ { id, title, status, evidence,
 * remedy } ] }`, for pipelines) and Markdown (exported from the extension's view, pasted into a PR).
 */
import type { VerifyReport } from './verify-deployment';

export type ReportFormat = 'text' | 'json' | 'markdown';

const ICON = { pass: '✔', fail: '✘', skip: '–' } as const;

export function formatVerifyReport(r: VerifyReport, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify({ target: r.target, checks: r.checks }, null, 2);
  const counts = ['pass', 'fail', 'skip']
    .map((s) => `${r.checks.filter((c) => c.status === s).length} ${s}`)
    .join(', ');
  if (format === 'markdown') {
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
    return [
      `# Sherpa: Verify Deployment`,
      '',
      `Target: ${r.target} — ${counts}`,
      '',
      '| | check | evidence | remedy |',
      '| - | - | - | - |',
      ...r.checks.map(
        (c) =>
          `| ${ICON[c.status]} ${c.status} | ${cell(c.title)} (\`${c.id}\`) | ${cell(c.evidence)} | ${c.status === 'pass' ? '' : cell(c.remedy)} |`,
      ),
      '',
    ].join('\n');
  }
  return [
    `Verify Deployment: ${r.target}`,
    ...r.checks.map(
      (c) =>
        `${ICON[c.status]} ${c.status.toUpperCase().padEnd(4)} ${c.id.padEnd(27)} ${c.title}\n       ${c.evidence}${c.status !== 'pass' && c.remedy ? `\n       → ${c.remedy}` : ''}`,
    ),
    counts,
  ].join('\n');
}
