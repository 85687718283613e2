/**
 * Which pre-registered client Sherpa offers an authorization server (MCP authorization spec 2025-11-25
 * "Client Registration Approaches": pre-registration first, then a Client ID Metadata Document, then
 * RFC 7591 dynamic registration) — only where that client was registered:
 *  - a first-party public client id (VS Code's, Azure CLI's) at the issuers that pre-authorise it: Entra
 *    ID and the local lab, which mirrors Entra; the caller says which issuers those are;
 *  - a client id the person configured for an issuer (exact issuer identifier, RFC 8414 §2);
 *  - a client id the person gave for this one server (the CLI's `--client-id ID`).
 * Everywhere else: none, and the engine goes on to CIMD and DCR (client-registration.ts). Offering VS
 * Code's id to an authorization server that never heard of it only sends the person to an error page.
 */
import { SherpaError } from '../errors';
import type { ClientCredentials } from './client-auth';

export interface PreRegisteredClients {
  /** Client ids the person configured, keyed by the issuer they were registered at. */
  byIssuer?: Readonly<Record<string, string>>;
  /** A first-party client id and the issuers that pre-authorise it. */
  firstParty?: { clientId: string; preAuthorizedAt: (issuer: string) => boolean };
  /** A client id the person gave for this server's authorization server, whichever issuer that is. */
  forThisServer?: string;
}

/** The engine's per-issuer `credentials` (mcp-authorization.ts): public clients, no secret. */
export function preRegisteredClientFor(
  o: PreRegisteredClients,
): (issuer: string) => ClientCredentials | undefined {
  const configured = new Map(Object.entries(o.byIssuer ?? {}).map(([k, v]) => [normalizeIssuer(k), v]));
  return (issuer) => {
    const id =
      o.forThisServer ??
      configured.get(normalizeIssuer(issuer)) ??
      (o.firstParty?.preAuthorizedAt(issuer) ? o.firstParty.clientId : undefined);
    return id ? { clientId: id, authMethod: 'none' } : undefined;
  };
}

/** An issuer identifier compared as RFC 8414 §3.3 does (exact), forgiving only a trailing slash. */
function normalizeIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

/**
 * Parses `ISSUER=CLIENT_ID` (a setting entry or a CLI value): the issuer must be an https URL (or http
 * on loopback is the caller's business) without query or fragment, as RFC 8414 §2 requires — so the
 * first `=` after it separates the two.
 */
export function parseIssuerClientId(value: string): { issuer: string; clientId: string } {
  const eq = value.indexOf('=');
  const issuer = eq > 0 ? value.slice(0, eq) : '';
  const clientId = eq > 0 ? value.slice(eq + 1) : '';
  if (!URL.canParse(issuer) || !/^https?:$/.test(new URL(issuer).protocol) || !clientId) {
    throw new SherpaError('BAD_ARGUMENT', `Expected ISSUER=CLIENT_ID, got "${value.slice(0, 200)}"`, {
      hint: 'For example https://login.example.com/realm=my-client-id: the issuer as its metadata names it, then the client id registered there.',
    });
  }
  return { issuer, clientId };
}
