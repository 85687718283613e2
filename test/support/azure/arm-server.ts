import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearer, sendError, sendJson, type RecordedRequest, openExchange } from './http';
import type { TokenService } from './token-server';
import { assignment, rgId, vaultId, type AzureState, type FakeContainerApp } from './state';

/**
 * Azure Resource Manager as the @azure/arm-* clients call it. Shapes follow the REST API examples in
 * Azure/azure-rest-api-specs (ContainerApps_Get/_Patch/_ListByResourceGroup 2025-07-01,
 * RoleAssignments_ListForScope/_Create/_Delete 2022-04-01, IdentityGet 2024-11-30, listVault 2026-02-01).
 * Each provider answers only its api-version; lists page with `nextLink` (one item per page, so paging is
 * really exercised); PATCH on a container app is a long-running operation (202 + Azure-AsyncOperation +
 * Location, polled to Succeeded); throttling is 429 + Retry-After; errors are `{ error: { code, message } }`.
 */
const API_VERSION = {
  'Microsoft.App': '2025-07-01',
  'Microsoft.ManagedIdentity': '2024-11-30',
  'Microsoft.KeyVault': '2026-02-01',
  'Microsoft.Authorization': '2022-04-01',
} as const;

interface Operation {
  id: string;
  app: string;
  pollsLeft: number;
  patch: { env?: FakeContainerApp['env'] };
  started: string;
}

export class ArmService {
  private readonly operations = new Map<string, Operation>();

  constructor(
    private readonly state: () => AzureState,
    private readonly origin: () => string,
    private readonly tokens: TokenService,
    private readonly record: (r: RecordedRequest) => void,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = this.state();
    const { method, path, body, entry, reply } = await openExchange('arm', req, res, url, {
      bodyMethods: ['PUT', 'PATCH'],
      decodePath: true,
      record: this.record,
    });
    const error = (status: number, code: string, message: string) => {
      entry.status = status;
      sendError(res, status, code, message);
    };

    const token = bearer(req);
    const claims = this.tokens.verify(token);
    if (!token) {
      res.setHeader(
        'WWW-Authenticate',
        `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
      );
      return error(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
      );
    }
    if (!claims || claims.aud !== this.origin()) {
      return error(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
    if (s.throttleOnce.delete(path)) {
      entry.status = 429;
      return sendJson(
        res,
        429,
        {
          error: {
            code: 'TooManyRequests',
            message:
              'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, refer to - https://aka.ms/srpthrottlinglimits',
          },
        },
        { 'Retry-After': '1' },
      );
    }

    // The LAST provider segment owns the request: {vault}/providers/Microsoft.Authorization/roleAssignments
    // is an Authorization call on a Key Vault scope.
    const provider = [...path.matchAll(/\/providers\/(Microsoft\.[A-Za-z]+)\//gi)].at(-1)?.[1] as
      keyof typeof API_VERSION | undefined;
    const expected = provider ? API_VERSION[provider] : undefined;
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) {
      return error(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    if (expected && apiVersion !== expected) {
      return error(
        400,
        'NoRegisteredProviderFound',
        `No registered resource provider found for location '${s.location}' and API version '${apiVersion}' for type '${provider}'. The supported api-versions are '${expected}'.`,
      );
    }
    const sub = `/subscriptions/${s.subscriptionId}`;
    // Subscriptions_List (2022-12-01) and ResourceGroups_List (2021-04-01): what the sign-in quick picks show.
    if (method === 'GET' && path === '/subscriptions') {
      return this.page(
        url,
        [
          {
            id: sub,
            subscriptionId: s.subscriptionId,
            tenantId: s.tenantId,
            displayName: 'Sherpa Test Subscription',
            state: 'Enabled',
          },
        ],
        reply,
      );
    }
    if (method === 'GET' && path.toLowerCase() === `${sub}/resourcegroups`.toLowerCase()) {
      return this.page(
        url,
        [
          {
            id: rgId(s),
            name: s.resourceGroup,
            type: 'Microsoft.Resources/resourceGroups',
            location: s.location,
            tags: { 'azd-env-name': 'sherpa-test' },
            properties: { provisioningState: 'Succeeded' },
          },
        ],
        reply,
      );
    }
    if (!path.toLowerCase().startsWith(sub.toLowerCase() + '/') && path.toLowerCase() !== sub.toLowerCase()) {
      return error(
        404,
        'SubscriptionNotFound',
        `The subscription '${path.split('/')[2]}' could not be found.`,
      );
    }
    const action = `${provider ?? 'Microsoft.Resources'}/${method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : 'write'}`;
    if (s.armDenied.has(claims.oid)) {
      return error(
        403,
        'AuthorizationFailed',
        `The client '${s.caller.clientId}' with object id '${claims.oid}' does not have authorization to perform action '${action}' over scope '${path}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }

    // Role assignments: {scope}/providers/Microsoft.Authorization/roleAssignments[/{name}]
    const ra = /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments(?:\/([^/]+))?$/i.exec(path);
    if (ra) return this.roleAssignments(method, ra[1]!, ra[2], url, body, reply, error);

    const rgPrefix = rgId(s);
    if (
      !path.toLowerCase().startsWith(rgPrefix.toLowerCase()) &&
      !/\/providers\/Microsoft\.App\/locations\//i.test(path)
    ) {
      const rg = /\/resourceGroups\/([^/]+)/i.exec(path)?.[1];
      return error(404, 'ResourceGroupNotFound', `Resource group '${rg ?? ''}' could not be found.`);
    }

    // Long-running operation status and result (what Azure-AsyncOperation / Location point at).
    const op =
      /\/providers\/Microsoft\.App\/locations\/[^/]+\/containerapp(OperationStatuses|OperationResults)\/([^/]+)$/i.exec(
        path,
      );
    if (op) return this.operation(op[1]!.toLowerCase(), op[2]!, reply, error);

    const apps = /^.*\/providers\/Microsoft\.App\/containerApps(?:\/([^/]+))?(\/revisions)?$/i.exec(path);
    if (apps) {
      if (!apps[1] && method === 'GET') {
        return this.page(
          url,
          s.apps.map((a) => this.containerApp(a)),
          reply,
        );
      }
      const app = s.apps.find((a) => a.name === apps[1]);
      if (!app) {
        return error(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.App/containerApps/${apps[1]}' under resource group '${s.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        );
      }
      if (apps[2] && method === 'GET') return this.page(url, [this.revision(app)], reply);
      if (method === 'GET') return reply(200, this.containerApp(app));
      if (method === 'PATCH') return this.patchApp(app, body, reply, error);
    }
    const identity = /\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([^/]+)$/i.exec(path);
    if (identity && method === 'GET') {
      const found = s.identities.find((i) => i.name === identity[1]);
      if (!found) {
        return error(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/${identity[1]}' under resource group '${s.resourceGroup}' was not found.`,
        );
      }
      return reply(200, {
        id: found.id,
        name: found.name,
        type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
        location: s.location,
        tags: {},
        properties: {
          tenantId: s.tenantId,
          principalId: found.principalId,
          clientId: found.clientId,
          isolationScope: 'None',
        },
      });
    }
    const vaultSecrets = /\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)\/secrets$/i.exec(path);
    if (vaultSecrets && method === 'GET') {
      if (vaultSecrets[1] !== s.vault.name) {
        return error(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.KeyVault/vaults/${vaultSecrets[1]}' under resource group '${s.resourceGroup}' was not found.`,
        );
      }
      // Management plane: names and attributes only, never values (Secrets_List example).
      const items = [...s.vault.secrets.entries()].map(([name, x]) => ({
        id: `${vaultId(s)}/secrets/${name}`,
        name,
        type: 'Microsoft.KeyVault/vaults/secrets',
        location: s.location,
        properties: {
          attributes: { enabled: true, created: x.updated, updated: x.updated },
          secretUri: `${s.vault.uri}secrets/${name}`,
          secretUriWithVersion: `${s.vault.uri}secrets/${name}/${x.version}`,
        },
      }));
      return this.page(url, items, reply);
    }
    if (/\/providers\/Microsoft\.KeyVault\/vaults$/i.test(path) && method === 'GET') {
      return this.page(url, [this.vault()], reply);
    }
    error(
      400,
      'InvalidResourceType',
      `The resource type could not be found in the namespace for api version '${apiVersion}' (${method} ${path}).`,
    );
  }

  private page(url: URL, items: unknown[], reply: (s: number, b: unknown) => void) {
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const next = new URL(url.pathname + url.search, this.origin());
    next.searchParams.set('$skiptoken', String(skip + 1));
    reply(200, {
      value: items.slice(skip, skip + 1),
      ...(skip + 1 < items.length ? { nextLink: next.href } : {}),
    });
  }

  private containerApp(a: FakeContainerApp) {
    const s = this.state();
    const identities = Object.fromEntries(
      a.identityIds.map((id) => {
        const i = s.identities.find((x) => x.id === id);
        return [id, { principalId: i?.principalId, clientId: i?.clientId }];
      }),
    );
    return {
      id: `${rgId(s)}/providers/Microsoft.App/containerApps/${a.name}`,
      name: a.name,
      type: 'Microsoft.App/containerApps',
      location: 'East US',
      tags: a.tags,
      identity: { type: a.identityIds.length ? 'UserAssigned' : 'None', userAssignedIdentities: identities },
      properties: {
        provisioningState: 'Succeeded',
        runningStatus: 'Running',
        managedEnvironmentId: `${rgId(s)}/providers/Microsoft.App/managedEnvironments/cae-sherpa-abc123`,
        environmentId: `${rgId(s)}/providers/Microsoft.App/managedEnvironments/cae-sherpa-abc123`,
        latestRevisionName: `${a.name}--${String(a.revision).padStart(7, '0')}`,
        latestReadyRevisionName: `${a.name}--${String(a.revision).padStart(7, '0')}`,
        latestRevisionFqdn: `${a.name}--${String(a.revision).padStart(7, '0')}.${a.fqdn}`,
        configuration: {
          activeRevisionsMode: 'Single',
          ingress: {
            fqdn: a.fqdn,
            external: true,
            targetPort: 8080,
            transport: 'Http',
            allowInsecure: false,
          },
          registries: [{ server: 'crsherpaabc123.azurecr.io', identity: a.identityIds[0] }],
        },
        template: {
          containers: [
            {
              image: a.image,
              name: a.tags['azd-service-name'],
              args: a.args,
              env: a.env,
              resources: { cpu: 0.5, memory: '1Gi' },
            },
          ],
          scale: {
            minReplicas: 1,
            maxReplicas: 5,
            rules: [{ name: 'http-concurrency', http: { metadata: { concurrentRequests: '50' } } }],
          },
        },
      },
    };
  }

  private revision(a: FakeContainerApp) {
    const name = `${a.name}--${String(a.revision).padStart(7, '0')}`;
    return {
      id: `${rgId(this.state())}/providers/Microsoft.App/containerApps/${a.name}/revisions/${name}`,
      name,
      type: 'Microsoft.App/containerApps/revisions',
      properties: {
        createdTime: new Date().toISOString(),
        fqdn: `${name}.${a.fqdn}`,
        template: { containers: [{ image: a.image, name: a.tags['azd-service-name'], env: a.env }] },
        active: true,
        replicas: 1,
        trafficWeight: 100,
        healthState: 'Healthy',
        provisioningState: 'Provisioned',
        runningState: 'Running',
      },
    };
  }

  private vault() {
    const s = this.state();
    return {
      id: vaultId(s),
      name: s.vault.name,
      type: 'Microsoft.KeyVault/vaults',
      location: s.location,
      tags: {},
      properties: {
        tenantId: s.tenantId,
        sku: { family: 'A', name: 'standard' },
        accessPolicies: [],
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 7,
        vaultUri: s.vault.uri,
        provisioningState: 'Succeeded',
        publicNetworkAccess: 'Enabled',
      },
    };
  }

  private patchApp(
    app: FakeContainerApp,
    body: unknown,
    reply: (s: number, b: unknown, h?: Record<string, string>) => void,
    error: (s: number, c: string, m: string) => void,
  ) {
    const containers = (body as { properties?: { template?: { containers?: unknown } } } | undefined)
      ?.properties?.template?.containers;
    if (!Array.isArray(containers) || containers.length !== 1) {
      return error(
        400,
        'InvalidRequestContent',
        "The request content was invalid: 'properties.template.containers' must list the app's container.",
      );
    }
    const c = containers[0] as { name?: unknown; image?: unknown; env?: unknown };
    const envOk =
      Array.isArray(c.env) &&
      c.env.every(
        (e: { name?: unknown; value?: unknown; secretRef?: unknown }) =>
          typeof e.name === 'string' && (typeof e.value === 'string' || typeof e.secretRef === 'string'),
      );
    if (typeof c.name !== 'string' || typeof c.image !== 'string' || !envOk) {
      return error(
        400,
        'ContainerAppInvalidSchema',
        'Invalid request body for container app: each container needs name, image and env entries with name and value or secretRef.',
      );
    }
    const id = randomUUID();
    const s = this.state();
    this.operations.set(id, {
      id,
      app: app.name,
      pollsLeft: 1,
      patch: { env: c.env as FakeContainerApp['env'] },
      started: new Date().toISOString(),
    });
    const loc = `${this.origin()}/subscriptions/${s.subscriptionId}/providers/Microsoft.App/locations/eastus`;
    reply(202, undefined, {
      'Azure-AsyncOperation': `${loc}/containerappOperationStatuses/${id}?api-version=${API_VERSION['Microsoft.App']}&azureAsyncOperation=true`,
      Location: `${loc}/containerappOperationResults/${id}?api-version=${API_VERSION['Microsoft.App']}`,
      'Retry-After': '0',
    });
  }

  private operation(
    kind: string,
    id: string,
    reply: (s: number, b: unknown, h?: Record<string, string>) => void,
    error: (s: number, c: string, m: string) => void,
  ) {
    const op = this.operations.get(id);
    if (!op) return error(404, 'OperationNotFound', `Operation '${id}' was not found.`);
    const app = this.state().apps.find((a) => a.name === op.app)!;
    // Each poll (of either URL) advances the operation; the change lands as a new revision when it ends.
    const done = op.pollsLeft-- <= 0;
    if (done && op.patch.env) {
      app.env = op.patch.env;
      app.revision++;
      op.patch = {};
    }
    if (kind === 'operationstatuses') {
      return done
        ? reply(200, {
            id,
            name: id,
            status: 'Succeeded',
            startTime: op.started,
            endTime: new Date().toISOString(),
          })
        : reply(200, { id, name: id, status: 'InProgress', startTime: op.started }, { 'Retry-After': '0' });
    }
    return done ? reply(200, this.containerApp(app)) : reply(202, undefined, { 'Retry-After': '0' });
  }

  private roleAssignments(
    method: string,
    scope: string,
    name: string | undefined,
    url: URL,
    body: unknown,
    reply: (s: number, b: unknown) => void,
    error: (s: number, c: string, m: string) => void,
  ) {
    const s = this.state();
    const view = (r: (typeof s.roleAssignments)[number]) => ({
      id: `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${r.name}`,
      name: r.name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `/subscriptions/${s.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${r.roleGuid}`,
        principalId: r.principalId,
        principalType: r.principalType,
        scope: r.scope,
        condition: null,
        conditionVersion: null,
        createdOn: '2026-01-01T00:00:00.0000000Z',
        updatedOn: '2026-01-01T00:00:00.0000000Z',
        createdBy: s.caller.objectId,
        updatedBy: s.caller.objectId,
        delegatedManagedIdentityResourceId: null,
        description: r.description ?? null,
      },
    });
    const lower = (x: string) => x.toLowerCase().replace(/\/$/, '');
    if (!name && method === 'GET') {
      const filter = url.searchParams.get('$filter') ?? '';
      const principal = /principalId eq '([0-9a-f-]+)'/i.exec(filter)?.[1];
      if (filter && !principal && filter !== 'atScope()') {
        return error(
          400,
          'UnsupportedQuery',
          `The filter '${filter}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'.`,
        );
      }
      // At, above and below the scope (the real service's semantics), narrowed by the filter.
      const related = s.roleAssignments.filter((r) => {
        const a = lower(r.scope);
        const b = lower(scope);
        const inScope = filter === 'atScope()' ? b.startsWith(a) : a.startsWith(b) || b.startsWith(a);
        return inScope && (!principal || r.principalId === principal);
      });
      return this.page(url, related.map(view), reply);
    }
    if (name && method === 'PUT') {
      const p = (
        body as {
          properties?: {
            roleDefinitionId?: string;
            principalId?: string;
            principalType?: string;
            description?: string;
          };
        }
      )?.properties;
      const role =
        /^\/subscriptions\/[0-9a-f-]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/i.exec(
          p?.roleDefinitionId ?? '',
        )?.[1];
      if (!role || !/^[0-9a-f-]{36}$/i.test(p?.principalId ?? '')) {
        return error(
          400,
          'InvalidRoleAssignmentRequest',
          'The request must name properties.roleDefinitionId (a role definition resource id) and properties.principalId (a GUID).',
        );
      }
      if (
        s.roleAssignments.some(
          (r) => lower(r.scope) === lower(scope) && r.roleGuid === role && r.principalId === p!.principalId,
        )
      ) {
        return error(409, 'RoleAssignmentExists', 'The role assignment already exists.');
      }
      const created = {
        ...assignment(scope, role, p!.principalId!),
        name,
        principalType: (p!.principalType ?? 'User') as 'User',
        ...(typeof p!.description === 'string' ? { description: p!.description } : {}),
      };
      created.propagatesAfter = s.rbacPropagationRequests;
      s.roleAssignments.push(created);
      return reply(201, view(created));
    }
    if (name && method === 'DELETE') {
      const i = s.roleAssignments.findIndex((r) => r.name === name && lower(r.scope) === lower(scope));
      if (i < 0) return reply(204, undefined);
      const [gone] = s.roleAssignments.splice(i, 1);
      return reply(200, view(gone!));
    }
    error(405, 'MethodNotAllowed', `${method} is not supported on role assignments here.`);
  }
}
