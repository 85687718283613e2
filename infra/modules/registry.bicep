// Private registry for the one Sherpa image. No admin user (no shared password): each app pulls with its
// own managed identity, granted AcrPull on this registry only.
param name string
param location string
param tags object
@description('Principal ids that may pull images.')
param pullPrincipalIds array

// Built-in role "AcrPull".
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in pullPrincipalIds: {
    name: guid(registry.id, principalId, acrPullRoleId)
    scope: registry
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    }
  }
]

output name string = registry.name
// A module is one nested deployment that completes after all its resources: the apps consume this output,
// so they are created only after the AcrPull grants exist (the first image pull needs them).
output loginServer string = registry.properties.loginServer
