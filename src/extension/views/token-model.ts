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
import type { ServerId } from '../connect/server-target';
import type { CurrentToken } from '../connect/token-state';

export type TokenBody =
  | { kind: 'opaque'; source: string }
  | {
      kind: 'jwt';
      source: string;
      checks: TokenCheck[];
      failed: number;
      header: ClaimLine[];
      claims: ClaimLine[];
    };

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
    checks,
    failed: checks.filter((c) => c.status === 'fail').length,
    header: Object.entries(decoded.header).map(([k, v]) => describeClaim(k, v, now)),
    claims: Object.entries(decoded.claims).map(([k, v]) => describeClaim(k, v, now)),
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
