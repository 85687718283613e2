/**
 * Verify Deployment: the configuration checks over what Resource Manager and Graph report, then the live
 * probes against the secure server's public URL. Read-only. The same entry verifies the local lab, where
 * only the live probes apply (and run for real, with tokens the lab can sign).
 */
import type { AuditTokens } from '../audit/context';
import { runAuditCheck } from './audit-check';
import type { AzureContext } from './azure-context';
import { runLiveProbes, type LiveProbeOptions } from './live-probes';
import { readDeployment } from './read-deployment';
import { checkDeployment, envValue, type VerifyCheck } from './verify-checks';

export interface VerifyReport {
  target: string;
  checks: VerifyCheck[];
}

export async function verifyAzureDeployment(ctx: AzureContext): Promise<VerifyReport> {
  const snapshot = await readDeployment(ctx);
  const checks = checkDeployment(snapshot);
  const url =
    envValue(snapshot, 'SHERPA_RESOURCE_URL') ??
    (snapshot.secure?.fqdn ? `https://${snapshot.secure.fqdn}/mcp` : undefined);
  if (url) {
    checks.push(
      ...(await runLiveProbes({
        url,
        issuer: envValue(snapshot, 'SHERPA_ISSUER'),
        audience: envValue(snapshot, 'SHERPA_API_CLIENT_ID'),
        timeoutMs: ctx.timeoutMs,
      })),
    );
    checks.push(await runAuditCheck(url, {}, ctx.timeoutMs));
  }
  return { target: `subscription ${ctx.subscriptionId}, resource group ${ctx.resourceGroup}`, checks };
}

/** The configuration checks that only exist on Azure, reported as skipped for the lab. */
const AZURE_ONLY = checkDeployment({ subscriptionId: '', resourceGroup: '', roles: new Map() }).map((c) => ({
  id: c.id,
  title: c.title,
}));

export async function verifyLab(o: LiveProbeOptions & { auditTokens?: AuditTokens }): Promise<VerifyReport> {
  const live = await runLiveProbes(o);
  live.push(await runAuditCheck(o.url, o.auditTokens ?? {}, o.timeoutMs));
  const skipped = AZURE_ONLY.map((c): VerifyCheck => ({
    ...c,
    status: 'skip',
    evidence: 'local lab: no Azure resources to read',
    remedy: 'Run against Azure with --subscription and --resource-group.',
  }));
  // What ran first; the Azure-only checks after, skipped.
  return { target: `local lab (${o.url})`, checks: [...live, ...skipped] };
}

export function failedChecks(r: VerifyReport): VerifyCheck[] {
  return r.checks.filter((c) => c.status === 'fail');
}
