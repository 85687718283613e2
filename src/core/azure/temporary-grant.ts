/**
 * The temporary Key Vault Secrets Officer grant Migrate Secrets gives the signed-in principal on the
 * deployment's vault. The grant records itself: its role assignment's `description` starts with
 * {@link TEMPORARY_GRANT_MARKER}, so whatever interrupts a run — Ctrl-C, a crash, a closed laptop, a
 * cancelled notification — the next run finds and removes the leftover before granting again (otherwise
 * Resource Manager answers 409 RoleAssignmentExists and the leftover would pass for a grant the person
 * already held), and Verify Deployment flags it (verify-checks.ts). A grant the person made themselves has
 * no such description and is never touched.
 * @see https://learn.microsoft.com/rest/api/authorization/role-assignments/create (properties.description)
 */
import type { AzureClients } from './azure-context';
import { toAzureError } from './azure-errors';
import { odataString } from './azure-names';
import { BUILT_IN_ROLES } from './built-in-roles';

export const TEMPORARY_GRANT_MARKER = 'sherpa:temporary-secrets-officer';

export interface GrantTarget {
  vaultId: string;
  vaultName: string;
  subscriptionId: string;
  principalId: string;
  principalType: 'User' | 'ServicePrincipal';
}

const lower = (s: string) => s.toLowerCase().replace(/\/$/, '');

/** True for a role assignment Migrate Secrets made for one run (by its description, role and scope). */
export function isTemporaryGrant(
  r: { description?: string | null; roleDefinitionId?: string; scope?: string },
  vaultId: string,
): boolean {
  return (
    !!r.description?.startsWith(TEMPORARY_GRANT_MARKER) &&
    (r.roleDefinitionId ?? '').toLowerCase().endsWith(`/${BUILT_IN_ROLES.keyVaultSecretsOfficer}`) &&
    lower(r.scope ?? '') === lower(vaultId)
  );
}

/** Removes this principal's temporary grants left on the vault by an interrupted run; returns their names. */
export async function removeStaleGrants(c: AzureClients, t: GrantTarget): Promise<string[]> {
  const removed: string[] = [];
  const pages = c.authorization.roleAssignments.listForScope(t.vaultId, {
    filter: `principalId eq ${odataString(t.principalId)}`,
  });
  try {
    for await (const r of pages) {
      if (!r.name || !isTemporaryGrant(r, t.vaultId)) continue;
      await c.authorization.roleAssignments.delete(t.vaultId, r.name);
      removed.push(r.name);
    }
  } catch (err) {
    throw toAzureError(
      err,
      `remove the temporary grant an interrupted run left on ${t.vaultName}`,
      'Role Based Access Control Administrator',
    );
  }
  return removed;
}

/**
 * Creates the grant named `name`. Returns false when the principal already holds Secrets Officer there
 * (its own grant: left alone).
 */
export async function createTemporaryGrant(
  c: AzureClients,
  t: GrantTarget,
  name: string,
  abortSignal?: AbortSignal,
): Promise<boolean> {
  try {
    await c.authorization.roleAssignments.create(
      t.vaultId,
      name,
      {
        roleDefinitionId: `/subscriptions/${t.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.keyVaultSecretsOfficer}`,
        principalId: t.principalId,
        principalType: t.principalType,
        description: `${TEMPORARY_GRANT_MARKER} created ${new Date().toISOString()} by sherpa azure migrate-secrets for one run; safe to delete`,
      },
      { abortSignal },
    );
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'RoleAssignmentExists') return false;
    throw err;
  }
}

/** Deletes the grant (never with the run's AbortSignal: the removal must outlive a cancellation). */
export async function removeTemporaryGrant(c: AzureClients, t: GrantTarget, name: string): Promise<void> {
  await c.authorization.roleAssignments.delete(t.vaultId, name).catch((err: unknown) => {
    throw toAzureError(
      err,
      `remove the temporary grant ${name} on ${t.vaultName} (the next migrate-secrets run removes it, or delete it by hand)`,
      'Role Based Access Control Administrator',
    );
  });
}
