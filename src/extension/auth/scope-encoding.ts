/**
 * VS Code's authentication API keys sessions by a list of scope strings only. Sherpa's provider serves
 * many authorization servers, so (like the `microsoft` provider's `VSCODE_TENANT:` pseudo-scopes) the
 * issuer, the RFC 8707 resource and the client id travel as pseudo-scopes that are stripped before the
 * authorization request is built.
 *
 * These pseudo-scopes pick the session — and so which token is sent where — so they must only ever come
 * from Sherpa itself: the issuer and resource it discovered and validated, the client id from the
 * person's settings. Encoding refuses a real scope that looks like a pseudo-scope (core's scope policy
 * already refuses those from servers), and decoding refuses a list that names any of them twice, so a
 * later entry can never override an earlier one.
 */
import { SherpaError } from '../../core/errors';

const ISSUER = 'SHERPA_ISSUER:';
const RESOURCE = 'SHERPA_RESOURCE:';
const CLIENT_ID = 'SHERPA_CLIENT_ID:';
const PSEUDO = /^(?:sherpa|vscode)_/i;

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
  const smuggled = request.scopes.find((s) => PSEUDO.test(s));
  if (smuggled) throw refuse(`the scope "${smuggled.slice(0, 100)}" looks like a pseudo-scope`);
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
  const once = (field: 'issuer' | 'resource' | 'clientId', value: string) => {
    if (out[field] !== undefined) throw refuse(`${field} is named twice`);
    out[field] = value;
  };
  for (const s of list) {
    if (s.startsWith(ISSUER)) once('issuer', s.slice(ISSUER.length));
    else if (s.startsWith(RESOURCE)) once('resource', s.slice(RESOURCE.length));
    else if (s.startsWith(CLIENT_ID)) once('clientId', s.slice(CLIENT_ID.length));
    else if (PSEUDO.test(s)) throw refuse(`"${s.slice(0, 100)}" is not a pseudo-scope Sherpa knows`);
    else out.scopes.push(s);
  }
  return out;
}

function refuse(why: string): SherpaError {
  return new SherpaError('UNTRUSTED_SCOPE', `Refusing the scope list: ${why}`, {
    hint: 'Sherpa builds its session scopes itself from the resource and issuer it validated; a server cannot choose them.',
  });
}
