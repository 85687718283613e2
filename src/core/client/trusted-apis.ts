/**
 * Which `api://…` identifier URIs the person trusts as the API of WHICH MCP server (scope-policy.ts).
 * On Entra ID an `api://{app}/scope` says nothing about the server asking for it, and VS Code's
 * `microsoft` provider hands back the session it already holds for that scope list. A flat list of
 * trusted identifiers would therefore give server B the token the person meant for server A (B names
 * A's tenant and A's `api://…/access_as_user`, receives A's token and replays it at A). So trust is a
 * map from the exact MCP server URL (canonical form, RFC 9728 §3.3's "identical") to the identifiers
 * trusted for it, and a server only ever gets its own entry.
 */
import { normalizeUrl } from '../url';

/** MCP server URL → `api://…` identifier URIs trusted as that server's API. */
export type TrustedApiIdentifiers = Readonly<Record<string, readonly string[]>>;

const API_IDENTIFIER = /^api:\/\/\S+$/i;

/** The key a server URL is looked up by: its canonical form, or undefined when it is not a URL. */
export function trustKey(serverUrl: string): string | undefined {
  try {
    const u = new URL(serverUrl.trim());
    return u.protocol === 'https:' || u.protocol === 'http:' ? normalizeUrl(u) : undefined;
  } catch {
    return undefined;
  }
}

/** The identifiers trusted for exactly `serverUrl` (none for any other server, however similar). */
export function trustedApisFor(
  trusted: TrustedApiIdentifiers | undefined,
  serverUrl: string,
): readonly string[] {
  const key = trustKey(serverUrl);
  if (!trusted || !key) return [];
  const found: string[] = [];
  for (const [url, ids] of Object.entries(trusted)) if (trustKey(url) === key) found.push(...ids);
  return found;
}

/**
 * A map read from a person's settings (or built from CLI flags), cleaned: keys that are not http(s)
 * URLs and values that are not `api://` identifiers are dropped, keys canonicalised, entries merged.
 */
export function cleanTrustedApis(raw: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [url, ids] of Object.entries(raw as Record<string, unknown>)) {
    const key = trustKey(url);
    if (!key || !Array.isArray(ids)) continue;
    const valid = ids
      .filter((i): i is string => typeof i === 'string' && API_IDENTIFIER.test(i.trim()))
      .map((i) => i.trim());
    if (valid.length) out[key] = [...new Set([...(out[key] ?? []), ...valid])];
  }
  return out;
}

/** `trusted` with `apiIdentifier` added for `serverUrl` (a new object; the input is not changed). */
export function withTrustedApi(
  trusted: TrustedApiIdentifiers,
  serverUrl: string,
  apiIdentifier: string,
): Record<string, string[]> {
  const key = trustKey(serverUrl);
  if (!key || !API_IDENTIFIER.test(apiIdentifier)) return cleanTrustedApis(trusted);
  return cleanTrustedApis({ ...trusted, [key]: [...(trusted[key] ?? []), apiIdentifier] });
}

/**
 * `sherpa connect <url> --trust-api …` values: `api://…` binds to the server being connected,
 * `<mcp-url>=api://…` to the server named (so a shell alias or script trusting one server's API does
 * not lend it to another).
 */
export function trustedApisFromArgs(values: readonly string[], serverUrl: string): Record<string, string[]> {
  const raw: Record<string, string[]> = {};
  for (const v of values) {
    const at = v.lastIndexOf('=api://');
    const [url, id] = at > 0 ? [v.slice(0, at), v.slice(at + 1)] : [serverUrl, v];
    (raw[url] ??= []).push(id);
  }
  return cleanTrustedApis(raw);
}
