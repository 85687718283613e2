/**
 * VS Code's authentication API keys sessions by a list of scope strings only. Sherpa's provider serves
 * many authorization servers, so (like the `microsoft` provider's `VSCODE_TENANT:` pseudo-scopes) the
 * issuer, the RFC 8707 resource and the client id travel as pseudo-scopes that are stripped before the
 * authorization request is built.
 */

const ISSUER = 'SHERPA_ISSUER:';
const RESOURCE = 'SHERPA_RESOURCE:';
const CLIENT_ID = 'SHERPA_CLIENT_ID:';

export interface SherpaScopeRequest {
  issuer?: string;
  /** RFC 8707 resource indicator (the MCP server's PRM `resource`). */
  resource?: string;
  clientId?: string;
  /** The real OAuth scopes (RFC 6749 §3.3). */
  scopes: string[];
}

/** Builds the scope list for `vscode.authentication.getSession('sherpa-oauth', …)`. */
export function encodeSherpaScopes(request: SherpaScopeRequest): string[] {
  return [
    ...(request.issuer ? [ISSUER + request.issuer] : []),
    ...(request.resource ? [RESOURCE + request.resource] : []),
    ...(request.clientId ? [CLIENT_ID + request.clientId] : []),
    ...request.scopes,
  ];
}

/** Splits a scope list back into pseudo-scopes and real scopes (order of real scopes preserved). */
export function decodeSherpaScopes(list: readonly string[]): SherpaScopeRequest {
  const out: SherpaScopeRequest = { scopes: [] };
  for (const s of list) {
    if (s.startsWith(ISSUER)) out.issuer = s.slice(ISSUER.length);
    else if (s.startsWith(RESOURCE)) out.resource = s.slice(RESOURCE.length);
    else if (s.startsWith(CLIENT_ID)) out.clientId = s.slice(CLIENT_ID.length);
    else out.scopes.push(s);
  }
  return out;
}
