/**
 * Many servers in one run (`sherpa audit --targets`, "Audit All Servers in mcp.json", the GitHub
 * Action): each target audited by {@link auditServer} as if alone, at most `concurrency` at a time, and a
 * target that cannot be audited (unreachable, timeout, a 500 where the MCP endpoint should be, a bad URL)
 * becomes that target's error — the others carry on.
 */
import { SherpaError } from '../errors';
import { createExchangeRecorder, type ExchangeRecorder } from './evidence';
import { failsAt, type AuditReport, type FindingLevel } from './findings';
import { auditServer, type AuditOptions } from './run-audit';
import type { AuditTarget } from './targets';

export interface TargetResult {
  target: AuditTarget;
  /** Present when the target was audited. */
  report?: AuditReport;
  /**
   * Why it could not be audited at all (the single-target CLI's exit 2) — or, next to a report, that its
   * MCP endpoint answered with a server error (5xx): its findings then describe a broken server.
   */
  error?: { code: string; message: string; hint?: string };
  /** The exchanges of this target's audit, when evidence was asked for. */
  recorder?: ExchangeRecorder;
}

export interface CombinedAuditReport {
  startedAt: string;
  results: TargetResult[];
}

export interface AuditTargetsOptions {
  /** Audits at once (default 3; 1 to 16). */
  concurrency?: number;
  /** The options of one target's audit — its own tokens only: a token is never sent to another server. */
  optionsFor?: (target: AuditTarget) => AuditOptions | Promise<AuditOptions>;
  /** Record every exchange of each audit for an evidence bundle. */
  evidence?: boolean;
  /** Secrets to mask in the evidence besides each target's own tokens. */
  secrets?: string[];
  /** Called as each target finishes (progress). */
  onResult?: (r: TargetResult) => void;
  signal?: AbortSignal;
}

export const DEFAULT_CONCURRENCY = 3;

/** Audits every target that is not skipped; results in the targets' order whatever order they finish in. */
export async function auditTargets(
  targets: AuditTarget[],
  o: AuditTargetsOptions = {},
): Promise<CombinedAuditReport> {
  const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
    throw new SherpaError(
      'BAD_ARGUMENT',
      `--concurrency must be a whole number from 1 to 16, not ${concurrency}`,
    );
  const startedAt = new Date().toISOString();
  const results: TargetResult[] = targets.map((target) => ({ target }));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < results.length; i = next++) {
      const r = results[i]!;
      if (!r.target.skipped) await auditOne(r, o);
      o.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, results.length) }, worker));
  return { startedAt, results };
}

async function auditOne(r: TargetResult, o: AuditTargetsOptions): Promise<void> {
  try {
    if (o.signal?.aborted) throw o.signal.reason;
    const options = { ...((await o.optionsFor?.(r.target)) ?? {}) };
    if (o.evidence) {
      const tokens = Object.values(options.tokens ?? {}).filter((t): t is string => typeof t === 'string');
      r.recorder = createExchangeRecorder({ secrets: [...tokens, ...(o.secrets ?? [])] });
      options.recorder = r.recorder;
    }
    if (o.signal) options.signal = o.signal;
    // A server that answers badly (a 500 where the MCP endpoint should be) gets a report whose checks say
    // so; only one that cannot be audited at all (no answer, a timeout, not a URL) throws.
    r.report = await auditServer(r.target.url!, options);
    const serverError = serverErrorOf(r.report);
    if (serverError) r.error = serverError;
  } catch (err) {
    r.error = {
      code: err instanceof SherpaError ? err.code : 'AUDIT_FAILED',
      message: err instanceof Error ? err.message : String(err),
      ...(err instanceof SherpaError && err.hint ? { hint: err.hint } : {}),
    };
  }
}

/** A 5xx to the first, unauthenticated initialize (RFC 9110 §15.6): the server is failing, not refusing. */
function serverErrorOf(report: AuditReport): TargetResult['error'] | undefined {
  const status = report.findings.find((f) => f.id === 'unauth.initialize-401')?.evidence[0]?.status;
  if (typeof status !== 'number' || status < 500) return undefined;
  return {
    code: 'SERVER_ERROR',
    message: `${report.target} answered initialize with ${status}: the server is failing, so its findings say little about its authorization`,
    hint: "Check the server's logs; audit it again once it answers initialize with 401 (or 200).",
  };
}

/**
 * The exit code of a combined run: 2 when a target could not be audited, else 1 when a finding at or
 * above `failOn` failed in any report, else 0 — the single-target codes, worst first.
 */
export function combinedExitCode(c: CombinedAuditReport, failOn: FindingLevel | 'never'): number {
  if (c.results.some((r) => r.error)) return 2;
  return c.results.some((r) => r.report && failsAt(r.report, failOn)) ? 1 : 0;
}
