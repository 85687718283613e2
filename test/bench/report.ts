/** Formats `npm run bench` results: per-scenario medians with spread, goals met or not, and the ratios. */

export interface ScenarioRounds {
  name: string;
  expectedStatus: number;
  /** One value per round. */
  rps: number[];
  /** Server process CPU (user + system, all threads) per request, µs, per round. */
  cpuMicrosPerRequest: number[];
  p50Ms: number[];
  p99Ms: number[];
  requests: number;
  errors: number;
  /** Statuses other than the expected one, summed over the rounds. */
  unexpected: Record<string, number>;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface Goal {
  name: string;
  /** Measured value (median over rounds where there are rounds). */
  value: Spread | number | string;
  target: string;
  met: boolean | 'n/a';
  /** Why not, or how it was measured. */
  note?: string;
}

export const spread = (xs: number[]): Spread => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? NaN, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
};

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const num = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function formatSpread(s: Spread, digits = 2): string {
  return `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

/** One row per scenario: median req/s with min–max over rounds, median p50/p99, status check. */
export function formatScenarioTable(rows: ScenarioRounds[]): string {
  const head =
    `${pad('scenario', 46)}${lpad('req/s median (min–max)', 26)}${lpad('CPU µs/req', 12)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}` +
    `${lpad('requests', 10)}  status`;
  const lines = rows.map((r) => {
    const rps = spread(r.rps);
    const bad = Object.keys(r.unexpected).length > 0 || r.errors > 0;
    return (
      `${pad(r.name, 46)}${lpad(`${num(rps.median, 0)} (${num(rps.min, 0)}–${num(rps.max, 0)})`, 26)}` +
      `${lpad(num(spread(r.cpuMicrosPerRequest).median, 1), 12)}` +
      `${lpad(num(spread(r.p50Ms).median, 1), 8)}${lpad(num(spread(r.p99Ms).median, 1), 8)}${lpad(String(r.requests), 10)}  ` +
      (bad ? `UNEXPECTED ${JSON.stringify(r.unexpected)} errors ${r.errors}` : `all ${r.expectedStatus}`)
    );
  });
  return [head, '-'.repeat(head.length), ...lines].join('\n');
}

/** The goals of issue 9, one line each: measured, target, MET / NOT MET, note. */
export function formatGoals(goals: Goal[]): string {
  return goals
    .map((g) => {
      const value =
        typeof g.value === 'number'
          ? num(g.value, 2)
          : typeof g.value === 'string'
            ? g.value
            : formatSpread(g.value);
      const verdict = g.met === 'n/a' ? 'REPORTED' : g.met ? 'MET' : 'NOT MET';
      return `  ${pad(verdict, 9)} ${pad(g.name, 52)} ${pad(value, 24)} target ${g.target}${g.note ? `\n            ${g.note}` : ''}`;
    })
    .join('\n');
}
