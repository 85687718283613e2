/**
 * What a client can expect of its token from public metadata alone, for the Token view's checks
 * (RFC 9068 §4 rules as a resource server applies them): the audience it asked for (RFC 8707 resource,
 * or the App ID URI in front of the scope, whose `api://{guid}` form Entra turns into `aud={guid}`), the
 * issuers the PRM advertises, the scope name, and the tenant in an Entra-shaped issuer path.
 */
import type { TokenExpectations } from './token-inspection';

export interface ExpectationSource {
  resource?: string;
  scopes: string[];
  issuers: string[];
  /** API client ids known out of band (the local lab reports its own). */
  knownAudiences?: string[];
  knownTenants?: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Builds inspector expectations from discovery results (see the module comment). */
export function buildTokenExpectations(source: ExpectationSource): TokenExpectations {
  const audiences = new Set<string>(source.knownAudiences ?? []);
  if (source.resource) audiences.add(source.resource);
  let requiredScope: string | undefined;
  for (const scope of source.scopes) {
    const cut = scope.lastIndexOf('/');
    if (scope.includes('://') && cut > 0) {
      const identifierUri = scope.slice(0, cut);
      audiences.add(identifierUri);
      const guid = /^api:\/\/(.+)$/.exec(identifierUri)?.[1];
      if (guid && GUID.test(guid)) audiences.add(guid);
      requiredScope ??= scope.slice(cut + 1);
    } else if (!['openid', 'profile', 'email', 'offline_access'].includes(scope)) {
      requiredScope ??= scope;
    }
  }
  const tenants = new Set<string>(source.knownTenants ?? []);
  for (const issuer of source.issuers) {
    const segment = safePath(issuer)
      .split('/')
      .find((p) => GUID.test(p));
    if (segment) tenants.add(segment);
  }
  return {
    audiences: [...audiences],
    issuers: source.issuers,
    ...(requiredScope ? { requiredScope } : {}),
    ...(tenants.size ? { tenants: [...tenants] } : {}),
  };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
