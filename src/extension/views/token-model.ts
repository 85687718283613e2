/**
 * What the Token view shows, as plain data: per server, its token decoded (no signature check — that is
 * the resource server's job), each claim described, and the checks a resource server applies against
 * what the server's metadata leads us to expect. No `vscode` import: token-tree.ts turns this into tree
 * items, test/unit/extension checks it.
 */
import {
  decodeToken,
  describeClaim,
  inspectToken,
  type ClaimLine,
  type DecodedToken,
  type TokenCheck,
} from '../../core/token/token-inspection';
import { toTerminalLine } from '../../core/untrusted-text';
import type { ServerId } from '../connect/server-target';
import type { CurrentToken } from '../connect/token-state';

/** A claim row: its line, the value as the token carries it (Copy Value) and a tooltip that shows all of it. */
export interface ClaimRow extends ClaimLine {
  raw: string;
  tooltip: string;
}

/** The Token view's first row: who the token speaks for, and with which app roles. */
export interface SignedInAs {
  label: string;
  description?: string;
  tooltip: string;
}

export type TokenBody =
  | { kind: 'opaque'; source: string }
  | {
      kind: 'jwt';
      source: string;
      signedInAs: SignedInAs;
      checks: TokenCheck[];
      failed: number;
      header: ClaimRow[];
      claims: ClaimRow[];
    };

/** The claims that name the user, most readable first (Entra: `preferred_username` is the UPN). */
const USER_CLAIMS = ['preferred_username', 'upn', 'email', 'unique_name', 'name'] as const;

/** Claim values are the server's words: printable only, and not endless. */
function text(value: unknown, max = 200): string {
  return toTerminalLine(value, max);
}

/**
 * "Signed in as alice@… — Sherpa.Admin": the user the token names and its app roles (`roles`, RFC 9068
 * §2.2.3.1); the display name beside it. A token that names no user (an app's own token) says so.
 */
export function signedInAs(claims: Record<string, unknown>): SignedInAs {
  const userClaim = USER_CLAIMS.find((c) => typeof claims[c] === 'string' && claims[c] !== '');
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r): r is string => typeof r === 'string')
    : [];
  const rolesText = roles.length ? roles.map((r) => text(r, 80)).join(', ') : 'no app roles';
  const client = [claims.azp, claims.appid, claims.client_id].find((c) => typeof c === 'string');
  if (!userClaim) {
    return {
      label: `No user named in this token — ${rolesText}`,
      ...(client ? { description: `client ${text(client, 80)}` } : {}),
      tooltip:
        'The token carries none of preferred_username, upn, email, unique_name or name: it speaks for an app, not a person.' +
        (roles.length ? `\nApp roles (roles): ${rolesText}` : ''),
    };
  }
  const user = text(claims[userClaim], 120);
  const name = typeof claims.name === 'string' && userClaim !== 'name' ? text(claims.name, 120) : undefined;
  return {
    label: `Signed in as ${user} — ${rolesText}`,
    ...(name && name !== user ? { description: name } : {}),
    tooltip:
      `User (${userClaim}): ${user}` +
      (name ? `\nName (name): ${name}` : '') +
      `\nApp roles (roles): ${roles.length ? rolesText : 'none'}`,
  };
}

/** Long values one item a line in the tooltip (lists of scopes, audiences, roles), so nothing is cut off. */
export function claimRow(line: ClaimLine, value: unknown): ClaimRow {
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  const items = Array.isArray(value)
    ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    : typeof value === 'string' && value.length > 60 && / /.test(value)
      ? value.split(/ +/)
      : undefined;
  const shown =
    items && items.length > 1
      ? items.map((i) => `  ${text(i, 2000)}`).join('\n')
      : ` ${text(line.value, 8000)}`;
  return { ...line, raw, tooltip: `${line.label}:${items && items.length > 1 ? '\n' : ''}${shown}` };
}

export interface ServerTokenModel {
  serverId: ServerId;
  /** The server's row label, or its URL when Sherpa no longer knows the server. */
  label: string;
  url?: string;
  /** The token in focus (expanded when several are shown). */
  selected: boolean;
  body: TokenBody;
}

/** The decoded JWT, or undefined for an opaque token. */
export function decodeIfJwt(accessToken: string): DecodedToken | undefined {
  try {
    return decodeToken(accessToken);
  } catch {
    return undefined;
  }
}

export function tokenBody(token: CurrentToken, now = Math.floor(Date.now() / 1000)): TokenBody {
  const decoded = decodeIfJwt(token.accessToken);
  if (!decoded) return { kind: 'opaque', source: token.source };
  const checks = inspectToken(decoded, { ...token.expectations, now });
  return {
    kind: 'jwt',
    source: token.source,
    signedInAs: signedInAs(decoded.claims),
    checks,
    failed: checks.filter((c) => c.status === 'fail').length,
    header: Object.entries(decoded.header).map(([k, v]) => claimRow(describeClaim(k, v, now), v)),
    claims: Object.entries(decoded.claims).map(([k, v]) => claimRow(describeClaim(k, v, now), v)),
  };
}

/** One entry per token, in the order they were obtained. */
export function tokenViewModel(
  tokens: readonly CurrentToken[],
  o: { selected?: ServerId; labelOf: (id: ServerId) => string | undefined; now?: number },
): ServerTokenModel[] {
  return tokens.map((t) => ({
    serverId: t.serverId,
    label: o.labelOf(t.serverId) ?? t.serverUrl ?? t.serverId,
    ...(t.serverUrl ? { url: t.serverUrl } : {}),
    selected: t.serverId === o.selected,
    body: tokenBody(t, o.now),
  }));
}
