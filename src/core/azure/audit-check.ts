/**
 * Verify Deployment reuses `sherpa audit` (src/core/audit) against the secure server: one check that the
 * rest of the audit — what the dedicated probes do not already cover (HTTPS, CORS, query-string tokens,
 * the authorization server's metadata and PKCE, alg none, stripped signatures, attacker keys, …) — has no
 * MUST-level failure. Findings covered by a dedicated check are left out, so one defect fails one check.
 */
import { auditServer } from '../audit/run-audit';
import type { AuditTokens } from '../audit/context';
import type { VerifyCheck } from './verify-checks';

/** Audit findings that verify already reports as its own checks (live-probes.ts). */
const COVERED = new Set([
  'unauth.initialize-401',
  'unauth.www-authenticate',
  'unauth.resource-metadata',
  'prm.found',
  'prm.resource-match',
  'prm.scopes-qualified',
  'token.expired',
  'token.tampered',
  'token.other-resource',
]);

export async function runAuditCheck(
  url: string,
  tokens: AuditTokens = {},
  timeoutMs?: number,
): Promise<VerifyCheck> {
  const base = {
    id: 'mcp-audit',
    title: 'The rest of the MCP server audit has no MUST failure (sherpa audit)',
  };
  let findings;
  try {
    findings = (await auditServer(url, { tokens, ...(timeoutMs ? { timeoutMs } : {}) })).findings.filter(
      (f) => !COVERED.has(f.id),
    );
  } catch (err) {
    return {
      ...base,
      status: 'fail',
      evidence: `the audit could not run: ${err instanceof Error ? err.message : String(err)}`,
      remedy: `Run \`sherpa audit ${url}\` for details.`,
    };
  }
  const count = (s: string) => findings.filter((f) => f.status === s).length;
  const failed = findings.filter((f) => f.status === 'fail' && f.level === 'must');
  const summary = `${findings.length} findings: ${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail, ${count('skip')} skip`;
  return failed.length
    ? {
        ...base,
        status: 'fail',
        evidence: `${summary}; MUST failures: ${failed.map((f) => `${f.id} (${f.detail})`).join('; ')}`,
        remedy: failed[0]!.remedy || `Run \`sherpa audit ${url}\` for the evidence of each check.`,
      }
    : {
        ...base,
        status: 'pass',
        evidence: `${summary}${count('skip') && !tokens.valid ? ' (token checks need a token you hold; `sherpa azure verify --lab` supplies lab tokens)' : ''}`,
        remedy: '',
      };
}
