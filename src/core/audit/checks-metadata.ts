/**
 * Protected Resource Metadata (RFC 9728) and authorization server metadata (RFC 8414 / OIDC Discovery),
 * fetched the way a client would — through the guarded fetch, since the server names these URLs.
 */
import { discoverAuthorizationServer } from '../discovery/as-metadata';
import { isEntraIssuer, isEntraV2TenantIssuer } from '../entra';
import { isSherpaError } from '../errors';
import { guardRefusalOf } from '../net/guarded-fetch';
import { buildPrmCandidateUrls, type ProtectedResourceMetadata } from '../discovery/protected-resource';
import { redact } from '../token/redact';
import { normalizeUrl } from '../url';
import { record, type AuditContext } from './context';
import type { Evidence } from './findings';
import type { CustomFetch } from 'openid-client';

async function fetchJson(ctx: AuditContext, url: string): Promise<{ evidence: Evidence; json?: unknown }> {
  try {
    const res = await ctx.fetch(url, { headers: { accept: 'application/json' } });
    const text = await res.text();
    ctx.bodies.push(text);
    let json: unknown;
    try {
      json = res.ok ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return {
      evidence: { request: `GET ${redact(url)}`, status: res.status, note: redact(text).slice(0, 200) },
      ...(json !== undefined ? { json } : {}),
    };
  } catch (err) {
    const refusal = guardRefusalOf(err);
    return {
      evidence: { request: `GET ${url}`, status: 'error', note: (refusal ?? (err as Error)).message },
    };
  }
}

/**
 * Where the server's Protected Resource Metadata is: the challenge's `resource_metadata` first (RFC 9728
 * §5.1), then the path-suffixed and root well-known URIs (§3.1), each through the guarded fetch. The
 * first document with a string `resource` wins; `evidence` has every request made.
 */
export async function findProtectedResourceMetadata(ctx: AuditContext): Promise<{
  found?: { metadata: ProtectedResourceMetadata; url: string; source: string };
  candidates: { url: string; source: string }[];
  evidence: Evidence[];
}> {
  const candidates = [
    ...(ctx.challenge?.resourceMetadata
      ? [{ url: ctx.challenge.resourceMetadata, source: 'challenge' }]
      : []),
    ...buildPrmCandidateUrls(ctx.target),
  ];
  const evidence: Evidence[] = [];
  for (const c of candidates) {
    const r = await fetchJson(ctx, c.url);
    evidence.push(r.evidence);
    const doc = r.json as Partial<ProtectedResourceMetadata> | undefined;
    if (doc && typeof doc === 'object' && typeof doc.resource === 'string') {
      return {
        found: { metadata: doc as ProtectedResourceMetadata, url: c.url, source: c.source },
        candidates,
        evidence,
      };
    }
  }
  return { candidates, evidence };
}

/**
 * The PRM checks (RFC 9728: found, `resource` equals the server URL, authorization servers, scopes), then
 * the first authorization server's metadata (RFC 8414: discovery, issuer, PKCE, `iss`, registration).
 * What cannot be judged after a failure is recorded as skipped.
 */
export async function runMetadataChecks(ctx: AuditContext): Promise<void> {
  const { found, candidates, evidence } = await findProtectedResourceMetadata(ctx);
  record(ctx, 'prmFound', {
    status: found ? 'pass' : 'fail',
    detail: found
      ? `at ${found.url} (${found.source})`
      : `none at ${candidates.map((c) => c.url).join(', ')}`,
    evidence,
  });
  if (!found) {
    for (const key of [
      'prmResource',
      'prmAuthorizationServers',
      'prmScopesQualified',
      'prmNoOfflineAccess',
      'asDiscovery',
      'asIssuer',
      'asPkce',
      'asIss',
      'asRegistration',
    ] as const) {
      record(ctx, key, { status: 'skip', detail: 'no Protected Resource Metadata' });
    }
    return;
  }
  ctx.prm = { metadata: found.metadata, url: found.url };
  const servers = recordPrmChecks(ctx, found.metadata, evidence.at(-1)!);
  if (!servers[0]) {
    for (const key of ['asDiscovery', 'asIssuer', 'asPkce', 'asIss', 'asRegistration'] as const) {
      record(ctx, key, { status: 'skip', detail: 'no authorization server named' });
    }
    return;
  }
  await recordAuthorizationServerChecks(ctx, servers[0]);
}

/** `resource`, `authorization_servers` and `scopes_supported` of the PRM; returns the servers it names. */
function recordPrmChecks(ctx: AuditContext, m: ProtectedResourceMetadata, last: Evidence): string[] {
  let expected = ctx.target;
  let same: boolean;
  try {
    expected = normalizeUrl(ctx.target);
    same = normalizeUrl(m.resource) === expected;
  } catch {
    same = false;
  }
  record(ctx, 'prmResource', {
    status: same ? 'pass' : 'fail',
    detail: same
      ? `resource ${m.resource}`
      : `resource "${m.resource}" but the server URL is "${expected}": clients MUST reject this`,
    evidence: [last],
  });
  const servers = Array.isArray(m.authorization_servers)
    ? m.authorization_servers.filter((s) => typeof s === 'string')
    : [];
  record(ctx, 'prmAuthorizationServers', {
    status: servers.length ? 'pass' : 'fail',
    detail: servers.length ? servers.join(', ') : 'authorization_servers is missing or empty',
  });
  const scopes = Array.isArray(m.scopes_supported) ? m.scopes_supported.map(String) : [];
  const entra = servers.some((s) => isEntraIssuer(s)) || ctx.entraDoctor;
  const bare = scopes.filter(
    (s) => !s.includes('://') && !['openid', 'profile', 'email', 'offline_access'].includes(s),
  );
  record(ctx, 'prmScopesQualified', {
    status: !entra ? 'skip' : bare.length ? 'fail' : 'pass',
    detail: !entra
      ? 'not an Entra ID authorization server'
      : bare.length
        ? `bare scope names ${bare.join(', ')}: Entra reads them as Microsoft Graph scopes`
        : `scopes_supported ${scopes.join(' ') || '(none)'}`,
  });
  record(ctx, 'prmNoOfflineAccess', {
    status: scopes.includes('offline_access') ? 'fail' : 'pass',
    detail: scopes.includes('offline_access') ? 'offline_access is in scopes_supported' : 'not advertised',
  });
  return servers;
}

/** Discovery of `issuer` through the audit's guarded fetch, then what its metadata advertises. */
async function recordAuthorizationServerChecks(ctx: AuditContext, issuer: string): Promise<void> {
  try {
    const as = await discoverAuthorizationServer(issuer, {
      clientId: 'sherpa-audit',
      fetch: ctx.fetch as CustomFetch,
      timeoutSeconds: Math.ceil(ctx.timeoutMs / 1000),
    });
    ctx.as = as;
    record(ctx, 'asDiscovery', { status: 'pass', detail: `${as.metadata.issuer} via ${as.method}` });
    record(ctx, 'asIssuer', { status: 'pass', detail: `issuer ${as.metadata.issuer}` });
  } catch (err) {
    const mismatch = isSherpaError(err, 'AS_ISSUER_MISMATCH');
    record(ctx, 'asDiscovery', {
      status: mismatch ? 'pass' : 'fail',
      detail: mismatch ? 'metadata found' : (err as Error).message,
    });
    record(ctx, 'asIssuer', {
      status: mismatch ? 'fail' : 'skip',
      detail: mismatch ? (err as Error).message : 'no metadata',
    });
    for (const key of ['asPkce', 'asIss', 'asRegistration'] as const)
      record(ctx, key, { status: 'skip', detail: 'no metadata' });
    return;
  }
  const meta = ctx.as.metadata;
  const methods = meta.code_challenge_methods_supported;
  record(ctx, 'asPkce', {
    status: methods?.includes('S256') ? 'pass' : !methods && isEntraV2TenantIssuer(issuer) ? 'warn' : 'fail',
    detail: methods?.includes('S256')
      ? `code_challenge_methods_supported ${methods.join(', ')}`
      : !methods && isEntraV2TenantIssuer(issuer)
        ? 'Entra exception: Entra ID supports and enforces S256, but its OpenID metadata omits code_challenge_methods_supported; a client following MCP to the letter refuses it, so clients that work with Entra (Sherpa among them) special-case its v2.0 issuer'
        : methods
          ? `S256 not advertised (${methods.join(', ')})`
          : 'no code_challenge_methods_supported: MCP clients MUST refuse to proceed (no PKCE support can be assumed)',
  });
  const iss = meta.authorization_response_iss_parameter_supported === true;
  record(ctx, 'asIss', {
    status: iss ? 'pass' : isEntraV2TenantIssuer(issuer) ? 'warn' : 'fail',
    detail: iss
      ? 'advertised'
      : isEntraV2TenantIssuer(issuer)
        ? 'not advertised: Entra ID does not publish authorization_response_iss_parameter_supported (nothing the server owner can change); clients rely on state and their own per-issuer redirect handling against mix-up'
        : 'not advertised',
  });
  const ways = [
    'pre-registered client ids',
    ...(meta.client_id_metadata_document_supported === true ? ['Client ID Metadata Documents'] : []),
    ...(meta.registration_endpoint ? [`dynamic registration at ${meta.registration_endpoint}`] : []),
  ];
  record(ctx, 'asRegistration', { status: 'pass', detail: ways.join('; ') });
}
