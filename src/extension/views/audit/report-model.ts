/**
 * The Audit view's groups as data — above all the "Sign-in compatibility" group: one row per client profile
 * (src/core/audit/client-profiles.ts) with the audit's prediction (`compat.<client>` findings from
 * checks-compat.ts) and the profile's registration path, redirect URIs, `resource` habit and sources.
 * Also the report's grouping: OWASP groups in their fixed order, then this group LAST (the e2e tests
 * scroll to findings by the OWASP groups' positions). No `vscode` import, so the unit tests read the same
 * groups and rows the tree shows; report-node.ts and compat-node.ts only draw them.
 */
import { STEP_NAMES } from '../../../core/audit/checks-compat';
import { CLIENT_PROFILES, type ClientProfile } from '../../../core/audit/client-profiles';
import type { AuditReport, Finding } from '../../../core/audit/findings';

/** The prefix of the per-client prediction findings. */
export const COMPAT_PREFIX = 'compat.';

/** pass → will, warn → may, fail → won't; skip (no PRM to start from) → unknown. */
export type CompatVerdict = 'will' | 'may' | 'wont' | 'unknown';

const VERDICT_OF: Record<Finding['status'], CompatVerdict> = {
  pass: 'will',
  warn: 'may',
  fail: 'wont',
  skip: 'unknown',
};

/** One line under a client row; `url` only on a source (the view opens it after assertOpenableUrl). */
export interface CompatDetail {
  kind: 'registration' | 'redirect-uris' | 'resource' | 'scopes' | 'source';
  value: string;
  url?: string;
  note?: string;
}

export interface CompatRow {
  clientId: ClientProfile['id'];
  client: string;
  verdict: CompatVerdict;
  /** The prediction's one line (why it will, may or won't sign in). */
  reason: string;
  findingId: string;
  details: CompatDetail[];
}

export interface CompatGroup {
  rows: CompatRow[];
  counts: Record<CompatVerdict, number>;
}

export function isCompatFinding(f: Pick<Finding, 'id'>): boolean {
  return f.id.startsWith(COMPAT_PREFIX);
}

/** What the profile says about the client, independent of this server (the "how it signs in" lines). */
export function profileDetails(p: ClientProfile): CompatDetail[] {
  const yesNo = (b: boolean) => (b ? 'sent' : 'not sent');
  return [
    { kind: 'registration', value: p.registration.map((s) => STEP_NAMES[s]).join(' → ') },
    { kind: 'redirect-uris', value: p.redirectUris.join(', ') },
    {
      kind: 'resource',
      value: `${yesNo(p.sendsResource.default)} (RFC 8707); to Entra ID: ${yesNo(p.sendsResource.entra)}`,
    },
    ...(p.scopeExtras.length ? [{ kind: 'scopes' as const, value: `adds ${p.scopeExtras.join(' ')}` }] : []),
    ...p.sources.map((s) => ({
      kind: 'source' as const,
      value: s.url,
      url: s.url,
      note: `${s.fields.join(', ')}${s.note ? `: ${s.note}` : ''}`,
    })),
  ];
}

/**
 * The compatibility rows of a report, in the profiles' order; undefined when the report has no
 * `compat.*` finding (an older report, or an audit that stopped before the predictions).
 */
export function compatGroup(report: Pick<AuditReport, 'findings'>): CompatGroup | undefined {
  const counts: Record<CompatVerdict, number> = { will: 0, may: 0, wont: 0, unknown: 0 };
  const rows: CompatRow[] = [];
  for (const p of CLIENT_PROFILES) {
    const finding = report.findings.find((f) => f.id === `${COMPAT_PREFIX}${p.id}`);
    if (!finding) continue;
    const verdict = VERDICT_OF[finding.status];
    counts[verdict]++;
    rows.push({
      clientId: p.id,
      client: p.name,
      verdict,
      reason: finding.detail,
      findingId: finding.id,
      details: profileDetails(p),
    });
  }
  return rows.length ? { rows, counts } : undefined;
}

/** The OWASP groups' order in the view; a finding with no OWASP item is under "other". */
export const OWASP_ORDER = ['MCP01', 'MCP02', 'MCP07', 'other'] as const;

export interface ReportGroups {
  /** Non-empty OWASP groups in OWASP_ORDER (a finding tagged with two items is in both). */
  owasp: { key: (typeof OWASP_ORDER)[number]; findings: Finding[] }[];
  /** The compatibility group, shown after every OWASP group. */
  compat?: CompatGroup;
}

/** A report's groups as the Audit view shows them: the compat.* predictions are not "Other checks". */
export function groupReport(report: Pick<AuditReport, 'findings'>): ReportGroups {
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    if (isCompatFinding(f)) continue;
    for (const key of f.owasp.length ? f.owasp : ['other']) groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const compat = compatGroup(report);
  return {
    owasp: OWASP_ORDER.filter((k) => groups.has(k)).map((key) => ({ key, findings: groups.get(key)! })),
    ...(compat ? { compat } : {}),
  };
}
