/**
 * The step events the engine reports while it connects and re-authorizes, in the order of the MCP
 * authorization spec 2025-11-25 "Authorization Flow Steps": probe (401 + challenge, RFC 6750 §3) →
 * prm (RFC 9728) → as-metadata (RFC 8414 / OIDC Discovery) → registration (pre-registered, CIMD or
 * RFC 7591) → token → initialize → tools; later `retry` (a 401 for a token) and `step-up` (403
 * insufficient_scope). The CLI prints them, the extension shows them as progress. A detail never
 * contains a token.
 */
import type { DiscoveredAuthorizationServer } from '../discovery/as-metadata';
import type { BearerChallenge } from '../discovery/www-authenticate';
import type { DiscoveredProtectedResource } from '../discovery/protected-resource';
import { decodeToken, tokenScopes } from '../token/token-inspection';
import type { TokenSet } from '../token/token-set';
import type { RegisteredClient } from './client-registration';

export type ConnectStep =
  'probe' | 'prm' | 'as-metadata' | 'registration' | 'token' | 'initialize' | 'tools' | 'step-up' | 'retry';

export interface ConnectStepEvent {
  step: ConnectStep;
  status: 'ok' | 'fail';
  /** One line for people, e.g. "401 with resource_metadata". Never contains a token. */
  detail: string;
}

export type StepListener = (event: ConnectStepEvent) => void;

/** Runs `run` as step `name`: reports ok with `describe(value)`, or fail with the error's message. */
export async function asStep<T>(
  emit: StepListener | undefined,
  name: ConnectStep,
  run: () => Promise<T>,
  describe: (value: T) => string,
): Promise<T> {
  try {
    const value = await run();
    emit?.({ step: name, status: 'ok', detail: describe(value) });
    return value;
  } catch (err) {
    emit?.({ step: name, status: 'fail', detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

export function describeChallenge(status: number, c: BearerChallenge | undefined): string {
  if (!c) return `${status} without a Bearer challenge`;
  return `${status} Bearer${c.error ? ` error=${c.error}` : ''}${c.resourceMetadata ? ' resource_metadata=' + c.resourceMetadata : ''}${c.scope ? ' scope=' + c.scope : ''}`;
}

export function describePrm(p: DiscoveredProtectedResource): string {
  return `${p.metadataUrl} (${p.source}): resource ${p.metadata.resource}, authorization server ${p.metadata.authorization_servers[0]}`;
}

export function describeAs(a: {
  metadata: DiscoveredAuthorizationServer['metadata'];
  method: string;
}): string {
  return `${a.metadata.issuer} via ${a.method}; token endpoint ${a.metadata.token_endpoint}`;
}

export function describeRegistration(c: RegisteredClient, method: string): string {
  const how = {
    'pre-registered': 'pre-registered client',
    cimd: 'Client ID Metadata Document',
    dcr: 'dynamic registration (RFC 7591)',
  }[c.source];
  return `${how} ${c.clientId} (${method})`;
}

/** A token summary safe to show: claims, never the token itself. */
export function describeTokens(tokens: TokenSet): string {
  try {
    const { claims } = decodeToken(tokens.accessToken);
    const aud = Array.isArray(claims.aud) ? claims.aud.join(',') : claims.aud;
    const mins =
      typeof claims.exp === 'number' ? Math.round((claims.exp - Date.now() / 1000) / 60) : undefined;
    return `access token for aud ${aud ?? '?'}, scopes ${tokenScopes(claims).join(' ') || '-'}, user ${String(claims.preferred_username ?? claims.sub ?? '?')}${mins !== undefined ? `, expires in ${mins} min` : ''}`;
  } catch {
    return `opaque access token${tokens.scope ? ` (scope ${tokens.scope})` : ''}`;
  }
}
