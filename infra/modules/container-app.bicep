// One Sherpa MCP server as a Container App. Tagged `azd-service-name` so `azd deploy` finds it.
param name string
@description('azure.yaml service name.')
param serviceName string
param location string
param tags object
@description('Container Apps environment resource id (`environmentId`; `managedEnvironmentId` is deprecated).')
param environmentId string
@description('The ONE user-assigned identity this app carries (pulls its image, and for the secure app reads the vault).')
param identityId string
param registryServer string
@description('Image; empty = a public placeholder until the first `azd deploy` (the registry is empty at first provision).')
param image string
param args array
@description('Public host name: the Host header the health probes send (the servers refuse unknown Host headers).')
param fqdn string
@description('HTTP path for startup/liveness/readiness probes; empty = TCP probes.')
param healthPath string
param minReplicas int
param maxReplicas int
param env array

// The servers listen on PORT=8080 (infra/Dockerfile EXPOSE). The placeholder listens on 80 and cannot answer
// our probes, so until the real image is deployed the app runs without them; `sherpa azure provision`
// provisions again after `azd deploy` so the real port and probes apply.
var placeholder = empty(image)
var targetPort = placeholder ? 80 : 8080
var httpProbe = {
  path: healthPath
  port: targetPort
  scheme: 'HTTP'
  httpHeaders: [{ name: 'Host', value: fqdn }]
}
var probes = placeholder
  ? []
  : empty(healthPath)
      ? [
          { type: 'Liveness', tcpSocket: { port: targetPort }, periodSeconds: 30 }
        ]
      : [
          { type: 'Startup', httpGet: httpProbe, periodSeconds: 2, failureThreshold: 30 }
          { type: 'Liveness', httpGet: httpProbe, periodSeconds: 30, failureThreshold: 3 }
          { type: 'Readiness', httpGet: httpProbe, periodSeconds: 10, failureThreshold: 3 }
        ]

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    environmentId: environmentId
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: { external: true, targetPort: targetPort, transport: 'http', allowInsecure: false }
      registries: [{ server: registryServer, identity: identityId }]
    }
    template: {
      containers: [
        {
          name: serviceName
          image: placeholder ? 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest' : image
          args: placeholder ? [] : args
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: env
          probes: probes
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [{ name: 'http-concurrency', http: { metadata: { concurrentRequests: '50' } } }]
      }
    }
  }
}

output name string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
