/**
 * OAuth 2.0 Protected Resource Metadata discovery for an MCP server (RFC 9728; MCP authorization spec
 * 2025-11-25 "Protected Resource Metadata Discovery Requirements").
 */
import { OAuthProtectedResourceMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { SherpaError } from '../errors';
import { createGuardedFetch, guardRefusalOf, networkPolicyFor } from '../net/guarded-fetch';
import { normalizeUrl } from '../url';

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported?: string[];
  resource_name?: string;
  [key: string]: unknown;
}

export type PrmSource = 'challenge' | 'path-suffixed' | 'root';

export interface DiscoveredProtectedResource {
  metadata: ProtectedResourceMetadata;
  /** The URL the metadata was fetched from. */
  metadataUrl: string;
  /** How that URL was found: the 401's `resource_metadata`, or one of the two well-known locations. */
  source: PrmSource;
  /** Every URL tried, in order, with its outcome (for teaching output). */
  attempts: { url: string; status: number | 'error' }[];
}

export interface DiscoverProtectedResourceOptions {
  /** `resource_metadata` from the 401's WWW-Authenticate (RFC 9728 §5.1), tried first when present. */
  resourceMetadataUrl?: string;
  /** Default: a guarded fetch (net/guarded-fetch.ts) with the policy of `serverUrl`. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

/**
 * The well-known locations to try for `serverUrl` (RFC 9728 §3.1): path-suffixed first
 * (`/.well-known/oauth-protected-resource/mcp`), then the root (`/.well-known/oauth-protected-resource`).
 */
export function buildPrmCandidateUrls(serverUrl: string | URL): { url: string; source: PrmSource }[] {
  const u = new URL(serverUrl);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  const root = new URL('/.well-known/oauth-protected-resource', u.origin).href;
  const out: { url: string; source: PrmSource }[] = [];
  if (path)
    out.push({
      url: new URL(`/.well-known/oauth-protected-resource${path}`, u.origin).href,
      source: 'path-suffixed',
    });
  out.push({ url: root, source: 'root' });
  return out;
}

/**
 * Discovers and validates the Protected Resource Metadata of the MCP server at `serverUrl`.
 * Validation: `resource` MUST be identical to the server URL (RFC 9728 §3.3 / §7.3, compared after
 * {@link normalizeUrl}) — otherwise PRM_RESOURCE_MISMATCH; at least one `authorization_servers` entry
 * (MCP spec) — otherwise PRM_INVALID. Nothing found anywhere → PRM_NOT_FOUND.
 */
export async function discoverProtectedResource(
  serverUrl: string | URL,
  options: DiscoverProtectedResourceOptions = {},
): Promise<DiscoveredProtectedResource> {
  const doFetch = options.fetch ?? createGuardedFetch(await networkPolicyFor(serverUrl));
  const candidates: { url: string; source: PrmSource }[] = [];
  if (options.resourceMetadataUrl) candidates.push({ url: options.resourceMetadataUrl, source: 'challenge' });
  candidates.push(...buildPrmCandidateUrls(serverUrl));

  const attempts: DiscoveredProtectedResource['attempts'] = [];
  for (const candidate of candidates) {
    let res: Response;
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
      res = await doFetch(candidate.url, {
        headers: { accept: 'application/json' },
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (err) {
      // A refused URL (internal address, redirect, endless body) is the server's doing: say so, don't
      // quietly try the next location.
      if (options.signal?.aborted) throw err;
      const refusal = guardRefusalOf(err);
      if (refusal) throw refusal;
      attempts.push({ url: candidate.url, status: 'error' });
      continue;
    }
    attempts.push({ url: candidate.url, status: res.status });
    if (!res.ok) {
      await res.body?.cancel();
      continue;
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new SherpaError('PRM_INVALID', `Protected Resource Metadata at ${candidate.url} is not JSON`, {
        cause: err,
        hint: 'The MCP server must serve application/json at its oauth-protected-resource well-known URL (RFC 9728 §3.2).',
      });
    }
    // RFC 9728 §3.3: `resource` must equal the identifier the well-known URL was built from — for the
    // root location that is the origin, so a server describing itself as its origin is not a mismatch.
    const metadata = validateProtectedResourceMetadata(body, serverUrl, candidate.url, {
      alsoAccept: candidate.source === 'root' ? [new URL(serverUrl).origin] : [],
    });
    return { metadata, metadataUrl: candidate.url, source: candidate.source, attempts };
  }
  throw new SherpaError('PRM_NOT_FOUND', `No Protected Resource Metadata found for ${String(serverUrl)}`, {
    hint: `Tried ${attempts.map((a) => `${a.url} (${a.status})`).join(', ')}. The server must serve RFC 9728 metadata and point to it from WWW-Authenticate.`,
    details: { attempts },
  });
}

/**
 * Checks a fetched PRM document against the server URL it claims to describe (RFC 9728 §3.3). Exported
 * so that a UI can validate a document it obtained some other way.
 */
export function validateProtectedResourceMetadata(
  body: unknown,
  serverUrl: string | URL,
  metadataUrl = '(metadata)',
  options: { alsoAccept?: string[] } = {},
): ProtectedResourceMetadata {
  const parsed = OAuthProtectedResourceMetadataSchema.safeParse(body);
  if (!parsed.success) {
    throw new SherpaError('PRM_INVALID', `Protected Resource Metadata at ${metadataUrl} is malformed`, {
      hint: 'It needs at least a "resource" URL (RFC 9728 §2).',
      details: { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
    });
  }
  const metadata = parsed.data as unknown as ProtectedResourceMetadata;
  const expected = normalizeUrl(serverUrl);
  let actual: string;
  try {
    actual = normalizeUrl(metadata.resource);
  } catch {
    actual = String(metadata.resource);
  }
  const accepted = [expected, ...(options.alsoAccept ?? []).map((u) => normalizeUrl(u))];
  if (!accepted.includes(actual)) {
    throw new SherpaError(
      'PRM_RESOURCE_MISMATCH',
      `Protected Resource Metadata says resource "${metadata.resource}" but the server URL is "${expected}"`,
      {
        hint: 'RFC 9728 §3.3: a client MUST reject metadata whose resource differs from the URL it called — otherwise a server could send you to collect tokens for another resource. Fix the server\'s PRM "resource".',
        details: { expected, actual: metadata.resource, metadataUrl },
      },
    );
  }
  if (!Array.isArray(metadata.authorization_servers) || metadata.authorization_servers.length === 0) {
    throw new SherpaError(
      'PRM_INVALID',
      `Protected Resource Metadata at ${metadataUrl} lists no authorization_servers`,
      {
        hint: 'The MCP authorization spec requires at least one authorization server in the PRM.',
      },
    );
  }
  return metadata;
}
