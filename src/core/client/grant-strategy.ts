/**
 * The one thing the engine leaves to its caller: how a token is obtained once the authorization server
 * and the client are known. The CLI signs in with a browser and a loopback redirect or the device code
 * grant, the conformance client approves headlessly, the extension asks VS Code's authentication API —
 * each is a GrantStrategy (the core ones are in core/grants/strategies.ts). Discovery, registration,
 * scope choice and the retry limits stay in the engine.
 */
import type { Configuration, ServerMetadata } from 'openid-client';
import type { RegisteredClient } from './client-registration';
import type { TokenReason } from './retry-policy';
import type { TokenSet } from '../token/token-set';
import type { NetworkPolicy } from '../net/guarded-fetch';

export type { TokenReason } from './retry-policy';

export interface TokenRequest {
  /** The MCP server URL the person chose (what per-server trust is keyed by, trusted-apis.ts). */
  serverUrl: string;
  /** The authorization server (issuer) the engine chose: the PRM's first, or the 2025-03-26 one. */
  issuer: string;
  /** openid-client Configuration for this server and client: client authentication and guarded fetch set. */
  config: Configuration;
  metadata: Readonly<ServerMetadata>;
  /** The client the engine registered or was given at this issuer (never another issuer's, SEP-2352). */
  client: RegisteredClient;
  /** Scopes chosen by core/client/scope-selection.ts; empty = omit the scope parameter. */
  scopes: string[];
  /** RFC 8707 resource = the PRM resource. A caller talking to Entra may leave it out (AADSTS9010010). */
  resource: string;
  reason: TokenReason;
  /**
   * The tokens being replaced (`retry`, `step-up`), only when they came from this same issuer: a refresh
   * token never goes to another authorization server (SEP-2352 migration gives none).
   */
  previous?: TokenSet;
  /**
   * The session's address policy (the one its guarded fetch uses): for URLs a grant shows or opens
   * rather than fetches (a device `verification_uri`). Absent when the caller replaced the fetch.
   */
  addressPolicy?: NetworkPolicy;
  signal?: AbortSignal;
}

export interface GrantStrategy {
  /** For step lines: "authorization code + PKCE", "VS Code authentication (microsoft)", … */
  readonly name: string;
  /**
   * RFC 7591 §2 grant_types this strategy uses, for Dynamic Client Registration. A strategy whose first
   * entry is `authorization_code` is interactive: the engine may switch a client holding a secret or key
   * to client_credentials when the server offers nothing else (SEP-1046).
   */
  readonly grantTypes: readonly string[];
  getToken(request: TokenRequest): Promise<TokenSet>;
}
