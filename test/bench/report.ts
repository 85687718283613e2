/** Formats `npm run bench` results: a fixed-width table plus the ratios between scenarios. */
import type { LoadSummary } from './load';

export interface ScenarioResult extends LoadSummary {
  name: string;
  expectedStatus: number;
  /** Share of responses with the expected status (1 = all). */
  expectedShare: number;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** One row per scenario: req/s, p50/p99 latency, requests, status check. */
export function formatTable(rows: ScenarioResult[]): string {
  const head = `${pad('scenario', 44)}${lpad('req/s', 9)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}${lpad('requests', 10)}  status`;
  const lines = rows.map(
    (r) =>
      `${pad(r.name, 44)}${lpad(r.rps.toFixed(0), 9)}${lpad(r.p50Ms.toFixed(1), 8)}${lpad(r.p99Ms.toFixed(1), 8)}` +
      `${lpad(String(r.requests), 10)}  ${r.expectedShare === 1 ? `all ${r.expectedStatus}` : `UNEXPECTED ${JSON.stringify(r.statuses)}`}`,
  );
  return [head, '-'.repeat(head.length), ...lines].join('\n');
}

/** `name = a ÷ b` lines for the ratios in `ratios`. */
export function formatRatios(ratios: Record<string, number>): string {
  return Object.entries(ratios)
    .map(([k, v]) => `  ${pad(k, 58)} ${v.toFixed(2)}`)
    .join('\n');
}
