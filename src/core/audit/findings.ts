/**
 * What an audit reports: one finding per check, each with the evidence that decided it (the requests
 * sent and what came back, tokens redacted), the clause it tests (MCP authorization spec 2025-11-25,
 * RFC 6750/8414/8707/9207/9728/8725) and the OWASP MCP Top 10 item it belongs to.
 */

export type FindingStatus = 'pass' | 'fail' | 'warn' | 'skip';
/** How strongly the spec asks for it: MUST, SHOULD, or information only. */
export type FindingLevel = 'must' | 'should' | 'info';
/** OWASP MCP Top 10 (2025): token mismanagement, privilege escalation via scope creep, insufficient authentication. */
export type OwaspMcpId = 'MCP01' | 'MCP02' | 'MCP07';

export interface Evidence {
  /** What was sent, e.g. `POST http://…/mcp initialize, no Authorization`. Never a token. */
  request: string;
  status?: number | 'error';
  /** Response headers that matter for the finding (WWW-Authenticate, CORS …), redacted. */
  headers?: Record<string, string>;
  /** The first bytes of the body, redacted; or a note. */
  note?: string;
}

export interface Finding {
  /** Stable id, e.g. `unauth.initialize-401`. */
  id: string;
  title: string;
  status: FindingStatus;
  level: FindingLevel;
  owasp: OwaspMcpId[];
  /** The clause the check tests, e.g. `MCP authorization 2025-11-25 §Token Handling; RFC 6750 §3.1`. */
  spec: string;
  evidence: Evidence[];
  /** One line: what to change when it fails (empty when it passes). */
  remedy: string;
  /** One line: what was observed. */
  detail: string;
}

export interface AuditReport {
  target: string;
  /** ISO time the audit started. */
  startedAt: string;
  findings: Finding[];
}

/** Static description of a check: everything but what one run observed. */
export interface CheckInfo {
  id: string;
  title: string;
  level: FindingLevel;
  owasp: OwaspMcpId[];
  spec: string;
  remedy: string;
}

export type Observation = Pick<Finding, 'status' | 'detail'> & { evidence?: Evidence[] };

/** Fills a finding from its check and what a run observed. */
export function toFinding(check: CheckInfo, o: Observation): Finding {
  return {
    ...check,
    status: o.status,
    detail: o.detail,
    evidence: o.evidence ?? [],
    remedy: o.status === 'pass' || o.status === 'skip' ? '' : check.remedy,
  };
}

/** Exit code for `--fail-on`: 1 when a finding at or above that level failed, else 0. */
export function failsAt(report: AuditReport, failOn: FindingLevel | 'never'): boolean {
  if (failOn === 'never') return false;
  const levels: FindingLevel[] =
    failOn === 'must' ? ['must'] : failOn === 'should' ? ['must', 'should'] : ['must', 'should', 'info'];
  return report.findings.some((f) => f.status === 'fail' && levels.includes(f.level));
}
