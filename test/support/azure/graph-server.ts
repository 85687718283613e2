import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearer, sendJson, type RecordedRequest, openExchange } from './http';
import type { TokenService } from './token-server';
import type { AzureState, FakeApplication } from './state';

/**
 * Microsoft Graph v1.0 for app registrations, shaped after microsoft-graph-docs-contrib
 * (application-get, application-post-applications, application-update, application-upsert,
 * serviceprincipal-post-serviceprincipals, list with $filter). The Entra rules Sherpa must live with:
 * an https identifier URI outside a verified domain is refused with HostNameNotOnVerifiedDomain (always
 * when `refuseUrlIdentifierUris`, and unless the app already asks for v2 tokens otherwise); an enabled
 * scope cannot be removed; pre-authorisations must name existing scope ids.
 */
export class GraphService {
  constructor(
    private readonly state: () => AzureState,
    private readonly origin: () => string,
    private readonly tokens: TokenService,
    private readonly record: (r: RecordedRequest) => void,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = this.state();
    const { method, path, body, entry, reply } = await openExchange('graph', req, res, url, {
      bodyMethods: ['POST', 'PATCH'],
      decodePath: true,
      record: this.record,
    });
    const error = (status: number, code: string, message: string) =>
      reply(status, {
        error: {
          code,
          message,
          innerError: {
            date: new Date().toISOString(),
            'request-id': randomUUID(),
            'client-request-id': randomUUID(),
          },
        },
      });
    const claims = this.tokens.verify(bearer(req));
    if (!claims || claims.aud !== this.origin()) {
      return error(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    }
    if (s.throttleOnce.delete(path)) {
      entry.status = 429;
      return sendJson(
        res,
        429,
        { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
        { 'Retry-After': '1' },
      );
    }

    const byUnique = /^\/v1\.0\/applications\(uniqueName='([^']+)'\)$/.exec(path);
    const byId = /^\/v1\.0\/applications\/([0-9a-f-]{36})$/.exec(path);
    if (byUnique || byId) {
      const app = s.applications.find((a) => (byUnique ? a.uniqueName === byUnique[1] : a.id === byId![1]));
      if (method === 'GET') {
        return app
          ? reply(200, this.view(app))
          : error(
              404,
              'Request_ResourceNotFound',
              `Resource '${byUnique?.[1] ?? byId![1]}' does not exist or one of its queried reference-property objects are not present.`,
            );
      }
      if (method === 'PATCH') {
        if (!app && byUnique && /create-if-missing/.test(String(req.headers.prefer ?? ''))) {
          if (typeof (body as { displayName?: unknown })?.displayName !== 'string') {
            return error(
              400,
              'Request_BadRequest',
              "Property 'displayName' is required when creating an application.",
            );
          }
          const created: FakeApplication = {
            id: randomUUID(),
            appId: randomUUID(),
            uniqueName: byUnique[1],
            displayName: '',
            tags: [],
            identifierUris: [],
            signInAudience: 'AzureADMyOrg',
            api: {
              requestedAccessTokenVersion: null,
              oauth2PermissionScopes: [],
              preAuthorizedApplications: [],
            },
            appRoles: [],
            publicClient: { redirectUris: [] },
          };
          const problem = this.apply(created, body);
          if (problem) return error(400, problem.code, problem.message);
          s.applications.push(created);
          return reply(201, this.view(created));
        }
        if (!app)
          return error(
            404,
            'Request_ResourceNotFound',
            `Resource '${byUnique?.[1] ?? byId![1]}' does not exist or one of its queried reference-property objects are not present.`,
          );
        const problem = this.apply(app, body);
        return problem ? error(400, problem.code, problem.message) : reply(204);
      }
    }
    if (method === 'GET' && (path === '/v1.0/applications' || path === '/v1.0/servicePrincipals')) {
      const filter = url.searchParams.get('$filter') ?? '';
      const appId = /^appId eq '([0-9a-f-]+)'$/.exec(filter)?.[1];
      const tag = /^tags\/any\(t:t eq '([^']+)'\)$/.exec(filter)?.[1];
      if (filter && !appId && !tag)
        return error(
          400,
          'Request_UnsupportedQuery',
          `Unsupported or invalid query filter clause specified for property '${filter}'.`,
        );
      const items =
        path === '/v1.0/applications'
          ? s.applications
              .filter((a) => (!appId || a.appId === appId) && (!tag || a.tags.includes(tag)))
              .map((a) => this.view(a))
          : s.servicePrincipals.filter((sp) => !appId || sp.appId === appId);
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
      const next = new URL(url.pathname + url.search, this.origin());
      next.searchParams.set('$skiptoken', String(skip + 1));
      return reply(200, {
        '@odata.context': `${this.origin()}/v1.0/$metadata#${path.slice(6)}`,
        value: items.slice(skip, skip + 1),
        ...(skip + 1 < items.length ? { '@odata.nextLink': next.href } : {}),
      });
    }
    if (method === 'POST' && path === '/v1.0/servicePrincipals') {
      const appId = (body as { appId?: string })?.appId;
      if (!s.applications.some((a) => a.appId === appId)) {
        return error(
          400,
          'Request_BadRequest',
          `The appId '${appId}' of the service principal does not reference a valid application object.`,
        );
      }
      if (s.servicePrincipals.some((sp) => sp.appId === appId)) {
        return error(
          409,
          'Request_MultipleObjectsWithSameKeyValue',
          'The service principal cannot be created, updated, or restored because the service principal name is already in use.',
        );
      }
      const sp = { id: randomUUID(), appId: appId! };
      s.servicePrincipals.push(sp);
      return reply(201, {
        '@odata.context': `${this.origin()}/v1.0/$metadata#servicePrincipals/$entity`,
        ...sp,
      });
    }
    error(400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop()}'.`);
  }

  private view(a: FakeApplication) {
    return {
      '@odata.context': `${this.origin()}/v1.0/$metadata#applications/$entity`,
      id: a.id,
      appId: a.appId,
      uniqueName: a.uniqueName ?? null,
      displayName: a.displayName,
      tags: a.tags,
      identifierUris: a.identifierUris,
      signInAudience: a.signInAudience,
      isFallbackPublicClient: a.isFallbackPublicClient ?? null,
      api: { acceptMappedClaims: null, knownClientApplications: [], ...a.api },
      appRoles: a.appRoles,
      publicClient: a.publicClient,
      passwordCredentials: [],
      keyCredentials: [],
    };
  }

  /** Applies a PATCH body with Entra's validation; returns the error it would answer, if any. */
  private apply(a: FakeApplication, body: unknown): { code: string; message: string } | undefined {
    const s = this.state();
    const b = (body ?? {}) as Partial<FakeApplication> & { api?: Partial<FakeApplication['api']> };
    const known = [
      'displayName',
      'tags',
      'identifierUris',
      'signInAudience',
      'isFallbackPublicClient',
      'api',
      'appRoles',
      'publicClient',
      'uniqueName',
    ];
    const unknown = Object.keys(b).find((k) => !known.includes(k));
    if (unknown)
      return {
        code: 'Request_BadRequest',
        message: `Property '${unknown}' does not exist on type 'microsoft.graph.application'.`,
      };
    const version = b.api?.requestedAccessTokenVersion ?? a.api.requestedAccessTokenVersion;
    for (const uri of b.identifierUris ?? []) {
      if (uri === `api://${a.appId}`) continue;
      if (uri.startsWith('https://') && (s.refuseUrlIdentifierUris || version !== 2)) {
        return {
          code: 'HostNameNotOnVerifiedDomain',
          message: `Values of identifierUris property must use a verified domain of the organization or its subdomain: '${uri}'`,
        };
      }
      if (!/^(api|https):\/\//.test(uri))
        return {
          code: 'Request_BadRequest',
          message: `Invalid value specified for property 'identifierUris' of resource 'Application': '${uri}'`,
        };
    }
    const scopes = b.api?.oauth2PermissionScopes;
    if (scopes) {
      for (const old of a.api.oauth2PermissionScopes) {
        const kept = scopes.find((n) => n.id === old.id);
        if (old.isEnabled && (!kept || (kept.value !== old.value && kept.isEnabled))) {
          return {
            code: 'CannotDeleteOrUpdateEnabledEntitlement',
            message: 'Permission (scope or role) cannot be deleted or updated unless disabled first.',
          };
        }
      }
    }
    const pre = b.api?.preAuthorizedApplications;
    const scopeIds = new Set((scopes ?? a.api.oauth2PermissionScopes).map((sc) => sc.id));
    if (pre?.some((p) => p.delegatedPermissionIds.some((id) => !scopeIds.has(id)))) {
      return {
        code: 'Request_BadRequest',
        message:
          'Property PreAuthorizedApplication references a permission id that does not exist on the application.',
      };
    }
    if (b.displayName !== undefined) a.displayName = b.displayName;
    if (b.tags) a.tags = b.tags;
    if (b.identifierUris) a.identifierUris = b.identifierUris;
    if (b.signInAudience) a.signInAudience = b.signInAudience;
    if (b.isFallbackPublicClient !== undefined) a.isFallbackPublicClient = b.isFallbackPublicClient;
    if (b.appRoles) a.appRoles = b.appRoles;
    if (b.publicClient) a.publicClient = b.publicClient;
    if (b.api) a.api = { ...a.api, ...b.api } as FakeApplication['api'];
    return undefined;
  }
}
