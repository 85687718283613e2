// Two user-assigned identities, one per app, so each carries only what it needs:
//  - secure: Key Vault Secrets User on the one vault (key-vault.bicep) + AcrPull (registry.bicep);
//  - vulnerable: AcrPull only. The workshop gave both apps one identity, so the vulnerable app could
//    read the vault.
param secureIdentityName string
param vulnerableIdentityName string
param location string
param tags object

resource secure 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: secureIdentityName
  location: location
  tags: tags
}

resource vulnerable 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: vulnerableIdentityName
  location: location
  tags: tags
}

output secureIdentityId string = secure.id
output secureClientId string = secure.properties.clientId
output securePrincipalId string = secure.properties.principalId
output vulnerableIdentityId string = vulnerable.id
output vulnerablePrincipalId string = vulnerable.properties.principalId
