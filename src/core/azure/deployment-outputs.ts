/**
 * The names infra/main.bicep outputs, azd writes to the environment (`azd env get-values --output json`) and
 * Sherpa reads back. One list, so the compiled-template test (test/infra/compiled-template.test.ts) fails when either side drifts.
 */
export const DEPLOYMENT_OUTPUTS = [
  'AZURE_TENANT_ID',
  'AZURE_RESOURCE_GROUP',
  'AZURE_KEY_VAULT_NAME',
  'AZURE_KEY_VAULT_ENDPOINT',
  'AZURE_MANAGED_IDENTITY_CLIENT_ID',
  'AZURE_MANAGED_IDENTITY_PRINCIPAL_ID',
  'VULNERABLE_IDENTITY_PRINCIPAL_ID',
  'SECURE_APP_NAME',
  'VULNERABLE_APP_NAME',
  'SECURE_SERVER_URL',
  'VULNERABLE_SERVER_URL',
] as const;

export type DeploymentOutputName = (typeof DEPLOYMENT_OUTPUTS)[number];
export type DeploymentOutputs = Partial<Record<DeploymentOutputName, string>>;

/**
 * Picks Sherpa's outputs from an azd environment (`azd env get-values --output json`) or from ARM deployment
 * outputs (`{ name: { type, value } }`). ARM lower-cases the first letter of output names, so names match
 * case-insensitively.
 */
export function readDeploymentOutputs(values: Record<string, unknown>): DeploymentOutputs {
  const byLowerName = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  const out: DeploymentOutputs = {};
  for (const name of DEPLOYMENT_OUTPUTS) {
    let value = byLowerName.get(name.toLowerCase());
    if (value && typeof value === 'object' && 'value' in value) value = (value as { value: unknown }).value;
    if (typeof value === 'string' && value) out[name] = value;
  }
  return out;
}
