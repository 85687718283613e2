/**
 * Recognising Entra ID (public cloud) issuers, `https://login.microsoftonline.com/{tenant}/v2.0`. Used by
 * the extension (which provider signs in), the CLI and the scope policy (Entra's scope syntax).
 */

export const ENTRA_AUTHORITY_HOST = 'login.microsoftonline.com';

/** True for an https issuer on Entra ID's public-cloud authority. */
export function isEntraIssuer(issuer: string): boolean {
  try {
    const u = new URL(issuer);
    return u.protocol === 'https:' && u.hostname.toLowerCase() === ENTRA_AUTHORITY_HOST;
  } catch {
    return false;
  }
}

/**
 * The tenant segment of an Entra issuer, when it is a tenant id (GUID), a domain name or one of Entra's
 * aliases (`common`, `organizations`, `consumers`). Anything else is undefined: the value becomes a
 * `VSCODE_TENANT:` pseudo-scope, so a server-chosen issuer must not smuggle other text into it.
 */
export function tenantFromIssuer(issuer: string): string | undefined {
  try {
    const segment = new URL(issuer).pathname.split('/').filter(Boolean)[0];
    if (!segment) return undefined;
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const domain = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
    const alias = /^(common|organizations|consumers)$/i;
    return guid.test(segment) || domain.test(segment) || alias.test(segment) ? segment : undefined;
  } catch {
    return undefined;
  }
}
