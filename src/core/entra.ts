/**
 * Recognising Entra ID issuers, `https://{authority host}/{tenant}/v2.0`. Used by the extension (which
 * provider signs in), the CLI, the scope policy (Entra's scope syntax and resource binding) and the
 * engine's check that no other issuer sends people to an Entra sign-in page.
 */

export const ENTRA_AUTHORITY_HOST = 'login.microsoftonline.com';

/**
 * Entra ID's authority hosts: the public cloud and its aliases, US Government, and China (21Vianet,
 * current and older host). A token from any of them is an Entra token for the scope policy.
 */
export const ENTRA_AUTHORITY_HOSTS: readonly string[] = [
  ENTRA_AUTHORITY_HOST,
  'login.microsoft.com',
  'login.windows.net',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'login.chinacloudapi.cn',
];

/** True for an https URL (an issuer or an endpoint) on one of Entra ID's authority hosts. */
export function isEntraIssuer(issuer: string): boolean {
  try {
    const u = new URL(issuer);
    // URL lower-cases the host and drops a default port; any other port is not Entra's.
    return (
      u.protocol === 'https:' && !u.port && ENTRA_AUTHORITY_HOSTS.includes(u.hostname.replace(/\.$/, ''))
    );
  } catch {
    return false;
  }
}

/**
 * True for an Entra ID v2.0 tenant issuer, `https://{authority host}/{tenant}/v2.0` — the lab's Entra mode
 * has this issuer too (it answers for login.microsoftonline.com through its proxy). The one issuer shape
 * the client lets through without `code_challenge_methods_supported` (see client/resource-discovery.ts).
 */
export function isEntraV2TenantIssuer(issuer: string): boolean {
  if (!isEntraIssuer(issuer)) return false;
  const u = new URL(issuer);
  return !u.search && !u.hash && /^\/[A-Za-z0-9][A-Za-z0-9.-]*\/v2\.0\/?$/.test(u.pathname);
}

/** Entra ID's public-cloud hosts: the ones VS Code's built-in `microsoft` provider signs in at. */
const PUBLIC_CLOUD_HOSTS: readonly string[] = [
  ENTRA_AUTHORITY_HOST,
  'login.microsoft.com',
  'login.windows.net',
];

/**
 * True for an Entra issuer in the public cloud. A national cloud's issuer (US Government, China) is
 * Entra for the scope policy but not something VS Code's `microsoft` provider can sign in to.
 */
export function isEntraPublicCloudIssuer(issuer: string): boolean {
  return isEntraIssuer(issuer) && PUBLIC_CLOUD_HOSTS.includes(new URL(issuer).hostname.replace(/\.$/, ''));
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
