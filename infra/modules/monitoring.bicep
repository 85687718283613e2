// Log Analytics: the Container Apps environment ships both apps' console and system logs here.
param name string
param location string
param tags object

resource logs 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

output name string = logs.name
output id string = logs.id
