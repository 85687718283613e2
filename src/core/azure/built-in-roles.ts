/**
 * Built-in Azure role ids. Roles are compared by id (the GUID at the end of `roleDefinitionId`), never by
 * display name: names are localised and a custom role can be named anything — the workshop's
 * verify script matched "Key Vault Secrets User" by name anywhere in the subscription.
 */
export const BUILT_IN_ROLES = {
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  roleBasedAccessControlAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
} as const;

const NAMES: Record<string, string> = Object.fromEntries(
  Object.entries({
    keyVaultSecretsUser: 'Key Vault Secrets User',
    keyVaultSecretsOfficer: 'Key Vault Secrets Officer',
    keyVaultAdministrator: 'Key Vault Administrator',
    acrPull: 'AcrPull',
    owner: 'Owner',
    contributor: 'Contributor',
    reader: 'Reader',
    roleBasedAccessControlAdministrator: 'Role Based Access Control Administrator',
  }).map(([k, v]) => [BUILT_IN_ROLES[k as keyof typeof BUILT_IN_ROLES], v]),
);

/** "Key Vault Secrets User (4633458b…)" for evidence; unknown ids are shown as they are. */
export function describeRole(roleGuid: string): string {
  const name = NAMES[roleGuid.toLowerCase()];
  return name ? `${name} (${roleGuid.slice(0, 8)}…)` : `role ${roleGuid}`;
}

/** The secrets the secure server's tools read: the lab's file store creates these, Verify expects them in Key Vault. */
export const EXPECTED_SECRET_NAMES = ['demo-api-key', 'external-service-secret'] as const;
