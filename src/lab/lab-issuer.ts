/**
 * Recognising the local lab's authorization server from its issuer: a loopback origin with the lab's
 * tenant path (`http://127.0.0.1:PORT/{LAB_TENANT_ID}/v2.0`). The lab pre-authorises VS Code's and Azure
 * CLI's client ids as Entra does, so the CLI and the extension offer those ids there
 * (core/client/pre-registered-clients.ts) and nowhere else but Entra.
 */
import { isLoopbackHost } from '../core/net/loopback';
import { LAB_TENANT_ID } from '../servers/shared/lab-defaults';

export function isLabIssuer(issuer: string): boolean {
  if (!URL.canParse(issuer)) return false;
  const u = new URL(issuer);
  return isLoopbackHost(u.hostname) && u.pathname.startsWith(`/${LAB_TENANT_ID}/`);
}
