// Sherpa on Azure (azd): both MCP servers on Azure Container Apps, a Key Vault read through the secure app's
// own user-assigned Managed Identity, images in a private registry pulled by identity, logs in Log Analytics.
//   azd provision   (or: sherpa azure provision — preflight, then azd provision + azd deploy)
// The Entra app registration is not an ARM resource and is NOT a prerequisite: provision first, then
// `sherpa azure register` (Microsoft Graph), then `sherpa azure configure` sets the secure app's
// SHERPA_API_CLIENT_ID through Resource Manager (a new revision, no rebuild).
//
// Identity design — where this differs from the workshop:
//  - Two identities. `id-secure-*` may read the vault (Key Vault Secrets User, scoped to that ONE vault) and
//    pull images; `id-vulnerable-*` may only pull images. The vulnerable app never carries the identity
//    that can read the vault, so exploiting it (waypoint 2) does not reach the secrets.
//  - The managed identity's client id and the API app's client id are different settings
//    (MANAGED_IDENTITY_CLIENT_ID, SHERPA_API_CLIENT_ID); the workshop used one AZURE_CLIENT_ID for both.
//  - The registry has no admin user: pulls use AcrPull granted to each app's identity on the registry only.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group, tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Resource group to create or reuse. Empty = rg-{environmentName}.')
param resourceGroupName string = ''

@description('Entra tenant that issues tokens for the secure server. Empty = the subscription\'s tenant.')
param entraTenantId string = ''

@description('Client id (GUID) of the API app registration, the `aud` of v2 tokens. Empty until `sherpa azure register` has run; `sherpa azure configure` sets it on the app later.')
param entraApiClientId string = ''

@description('What the secure server\'s PRM advertises in scopes_supported when Entra refused its URL as an identifier URI (`api://{appId}/access_as_user`, set by `sherpa azure configure`). Empty = the default, {server URL}/access_as_user.')
param entraScopesSupported string = ''

@description('Image of the secure service (azd sets SERVICE_SECURE_IMAGE_NAME after the first deploy). Empty = a placeholder.')
param secureImage string = ''

@description('Image of the vulnerable service (azd sets SERVICE_VULNERABLE_IMAGE_NAME). Empty = a placeholder.')
param vulnerableImage string = ''

@description('The vulnerable server\'s static token. A plain environment variable ON PURPOSE: waypoint 2 exploits it.')
param vulnerableStaticToken string = 'camp1_demo_token_INSECURE'

var tags = { 'azd-env-name': environmentName }
var suffix = take(uniqueString(subscription().id, environmentName, location), 10)
var tenantId = empty(entraTenantId) ? subscription().tenantId : entraTenantId

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: { name: 'log-sherpa-${suffix}', location: location, tags: tags }
}

module identities 'modules/identities.bicep' = {
  name: 'identities'
  scope: rg
  params: {
    secureIdentityName: 'id-secure-${suffix}'
    vulnerableIdentityName: 'id-vulnerable-${suffix}'
    location: location
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: 'crsherpa${suffix}'
    location: location
    tags: tags
    pullPrincipalIds: [identities.outputs.securePrincipalId, identities.outputs.vulnerablePrincipalId]
  }
}

module vault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: 'kv-sherpa-${suffix}'
    location: location
    tags: tags
    tenantId: subscription().tenantId
    vaultReaderPrincipalId: identities.outputs.securePrincipalId
  }
}

module appsEnvironment 'modules/container-apps-environment.bicep' = {
  name: 'container-apps-environment'
  scope: rg
  params: {
    name: 'cae-sherpa-${suffix}'
    location: location
    tags: tags
    logAnalyticsWorkspaceName: monitoring.outputs.name
  }
}

var vulnerableAppName = 'ca-vulnerable-${suffix}'
var vulnerableFqdn = '${vulnerableAppName}.${appsEnvironment.outputs.defaultDomain}'
var secureAppName = 'ca-secure-${suffix}'
var secureFqdn = '${secureAppName}.${appsEnvironment.outputs.defaultDomain}'

module vulnerableApp 'modules/container-app.bicep' = {
  name: 'vulnerable-app'
  scope: rg
  params: {
    name: vulnerableAppName
    serviceName: 'vulnerable'
    location: location
    tags: tags
    environmentId: appsEnvironment.outputs.id
    identityId: identities.outputs.vulnerableIdentityId
    registryServer: registry.outputs.loginServer
    image: vulnerableImage
    args: ['serve', 'vulnerable']
    fqdn: vulnerableFqdn
    healthPath: ''
    minReplicas: 0
    maxReplicas: 1
    env: [
      { name: 'HOST', value: '0.0.0.0' }
      { name: 'PORT', value: '8080' }
      { name: 'ALLOWED_HOSTS', value: vulnerableFqdn }
      // Deliberately insecure: anyone with Reader on this app sees the token (OWASP MCP01, waypoint 2).
      { name: 'REQUIRED_TOKEN', value: vulnerableStaticToken }
    ]
  }
}

module secureApp 'modules/container-app.bicep' = {
  name: 'secure-app'
  scope: rg
  params: {
    name: secureAppName
    serviceName: 'secure'
    location: location
    tags: tags
    environmentId: appsEnvironment.outputs.id
    identityId: identities.outputs.secureIdentityId
    registryServer: registry.outputs.loginServer
    image: secureImage
    args: ['serve', 'secure']
    fqdn: secureFqdn
    // RFC 9728 metadata: answered without a token, so it doubles as the health endpoint.
    healthPath: '/.well-known/oauth-protected-resource/mcp'
    // Stateless (tokens are verified per request against the cached JWKS): scale out on HTTP load.
    minReplicas: 1
    maxReplicas: 5
    // Configuration only — no secret values (verified by `sherpa azure verify`, check secure-env-no-secrets).
    env: concat(
      [
        { name: 'HOST', value: '0.0.0.0' }
        { name: 'PORT', value: '8080' }
        { name: 'ALLOWED_HOSTS', value: secureFqdn }
        { name: 'SHERPA_RESOURCE_URL', value: 'https://${secureFqdn}/mcp' }
        { name: 'SHERPA_ISSUER', value: '${environment().authentication.loginEndpoint}${tenantId}/v2.0' }
        { name: 'SHERPA_ALLOWED_TENANTS', value: tenantId }
        { name: 'KEY_VAULT_URL', value: vault.outputs.uri }
        { name: 'MANAGED_IDENTITY_CLIENT_ID', value: identities.outputs.secureClientId }
      ],
      // Until the app registration exists the server runs awaiting configuration (MCP answered 503);
      // `sherpa azure configure` adds it (and re-provisioning keeps it via the azd env).
      empty(entraApiClientId) ? [] : [{ name: 'SHERPA_API_CLIENT_ID', value: entraApiClientId }],
      // The api:// scope `sherpa azure configure` advertises when Entra refused the server URL as an
      // identifier URI (kept in the azd env by configure, so re-provisioning does not drop it).
      empty(entraScopesSupported) ? [] : [{ name: 'SHERPA_SCOPES_SUPPORTED', value: entraScopesSupported }]
    )
  }
}

// azd writes every output to the environment (.azure/<env>/.env); Sherpa reads them back
// (src/core/azure/deployment-outputs.ts) into its settings.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = appsEnvironment.outputs.name
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = vault.outputs.uri
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identities.outputs.secureClientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identities.outputs.securePrincipalId
output VULNERABLE_IDENTITY_PRINCIPAL_ID string = identities.outputs.vulnerablePrincipalId
output SECURE_APP_NAME string = secureAppName
output VULNERABLE_APP_NAME string = vulnerableAppName
output SECURE_SERVER_URL string = 'https://${secureFqdn}/mcp'
output VULNERABLE_SERVER_URL string = 'https://${vulnerableFqdn}/mcp'
