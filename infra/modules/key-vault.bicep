// Key Vault in RBAC mode (no access policies). Exactly one data-plane grant: Key Vault Secrets User for the
// secure app's identity, scoped to THIS vault — not the resource group, not the subscription.
// Secrets are put in later by `sherpa azure migrate-secrets` with a temporary Secrets Officer grant.
param name string
param location string
param tags object
param tenantId string
param vaultReaderPrincipalId string

// Built-in role "Key Vault Secrets User": read secret values, nothing else.
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, vaultReaderPrincipalId, secretsUserRoleId)
  scope: vault
  properties: {
    principalId: vaultReaderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
