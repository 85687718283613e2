/**
 * Which MCP URLs Sherpa talks to: an explicitly configured URL always wins; otherwise the running lab's
 * URL (it may have been started on other ports); otherwise the URL the lab WILL have, from the lab port
 * settings (the default ports unless configured; a port of 0 is only known once the lab runs).
 */
import { LAB_HOST } from '../servers/shared/lab-defaults';
import type { LabInfo } from '../lab/lab';
import { DEFAULT_SECURE_URL, DEFAULT_VULNERABLE_URL, type SherpaSettings } from './settings';

function labUrl(port: number, fallback: string): string {
  return port > 0 ? `http://${LAB_HOST}:${port}/mcp` : fallback;
}

export interface ServerEndpoints {
  secureUrl: string;
  vulnerableUrl: string;
}

/** Resolves the two MCP endpoint URLs from settings and the lab (see the module comment for the order). */
export function resolveEndpoints(settings: SherpaSettings, lab: LabInfo | undefined): ServerEndpoints {
  return {
    secureUrl:
      settings.secureServerUrl ?? lab?.secure ?? labUrl(settings.labPorts.secure, DEFAULT_SECURE_URL),
    vulnerableUrl:
      settings.vulnerableServerUrl ??
      lab?.vulnerable ??
      labUrl(settings.labPorts.vulnerable, DEFAULT_VULNERABLE_URL),
  };
}
