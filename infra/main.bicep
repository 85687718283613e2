// Sherpa on Azure: both MCP servers on Azure Container Apps, a Key Vault read through a user-assigned
// Managed Identity, logs in Log Analytics. Deploy with:
//   az deployment group create -g <rg> -f infra/main.bicep -p entraTenantId=<tid> entraApiClientId=<app id> image=<acr>/sherpa:<tag>
// The Entra app registration itself is not an ARM resource: see infra/entra-app.md and
// infra/register-entra-app.sh (Microsoft Graph through the Azure CLI).

targetScope = 'resourceGroup'

@description('Short name used to derive resource names.')
param name string = 'sherpa'

@description('Azure region.')
param location string = resourceGroup().location

@description('Container image with dist/sherpa.mjs (see infra/Dockerfile).')
param image string

@description('Registry server that hosts the image, e.g. myacr.azurecr.io. Pulled with the managed identity.')
param registryServer string

@description('Entra tenant id (GUID) that issues tokens for the secure server.')
param entraTenantId string

@description('Client id (GUID) of the API app registration: the `aud` of v2 access tokens.')
param entraApiClientId string

@description('The vulnerable server\'s static token. Stored as a plain environment variable ON PURPOSE (waypoint 2).')
param vulnerableStaticToken string = 'camp1_demo_token_INSECURE'

var suffix = uniqueString(resourceGroup().id, name)

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${name}-${suffix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

// One user-assigned identity for the secure app. Its client id is NOT the API app's client id: the
// workshop used a single AZURE_CLIENT_ID for both, which breaks either token validation or Key Vault.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${name}-${suffix}'
  location: location
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${take(name, 8)}-${take(suffix, 10)}'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

// Least privilege: read secret values, nothing else.
var keyVaultSecretsUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: keyVaultSecretsUser
  }
}

resource env 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'cae-${name}-${suffix}'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

var vulnerableAppName = 'ca-vulnerable-${take(suffix, 10)}'
var vulnerableFqdn = '${vulnerableAppName}.${env.properties.defaultDomain}'
var secureAppName = 'ca-secure-${take(suffix, 10)}'
var secureFqdn = '${secureAppName}.${env.properties.defaultDomain}'

resource vulnerableApp 'Microsoft.App/containerApps@2024-03-01' = {
  name: vulnerableAppName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      ingress: { external: true, targetPort: 8080, transport: 'http' }
      registries: [{ server: registryServer, identity: identity.id }]
    }
    template: {
      containers: [
        {
          name: 'vulnerable'
          image: image
          args: ['serve', 'vulnerable']
          resources: { cpu: json('0.25'), memory: '0.5Gi' }
          env: [
            { name: 'HOST', value: '0.0.0.0' }
            { name: 'PORT', value: '8080' }
            { name: 'ALLOWED_HOSTS', value: vulnerableFqdn }
            // Deliberately insecure: anyone with Reader on this app sees the token (MCP01).
            { name: 'REQUIRED_TOKEN', value: vulnerableStaticToken }
          ]
        }
      ]
      scale: { minReplicas: 0, maxReplicas: 1 }
    }
  }
}

resource secureApp 'Microsoft.App/containerApps@2024-03-01' = {
  name: secureAppName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      ingress: { external: true, targetPort: 8080, transport: 'http' }
      registries: [{ server: registryServer, identity: identity.id }]
    }
    template: {
      containers: [
        {
          name: 'secure'
          image: image
          args: ['serve', 'secure']
          resources: { cpu: json('0.5'), memory: '1Gi' }
          // Configuration only — no secret values. The server is stateless, so replicas need no affinity.
          env: [
            { name: 'HOST', value: '0.0.0.0' }
            { name: 'PORT', value: '8080' }
            { name: 'ALLOWED_HOSTS', value: secureFqdn }
            { name: 'SHERPA_RESOURCE_URL', value: 'https://${secureFqdn}/mcp' }
            { name: 'SHERPA_ISSUER', value: '${environment().authentication.loginEndpoint}${entraTenantId}/v2.0' }
            { name: 'SHERPA_API_CLIENT_ID', value: entraApiClientId }
            { name: 'SHERPA_ALLOWED_TENANTS', value: entraTenantId }
            { name: 'KEY_VAULT_URL', value: vault.properties.vaultUri }
            { name: 'MANAGED_IDENTITY_CLIENT_ID', value: identity.properties.clientId }
          ]
        }
      ]
      scale: { minReplicas: 1, maxReplicas: 3 }
    }
  }
  dependsOn: [secretsUser]
}

output VULNERABLE_SERVER_URL string = 'https://${vulnerableFqdn}/mcp'
output SECURE_SERVER_URL string = 'https://${secureFqdn}/mcp'
output KEY_VAULT_URL string = vault.properties.vaultUri
output KEY_VAULT_NAME string = vault.name
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
