/**
 * Which MCP URLs Sherpa talks to: an explicitly configured URL always wins; otherwise the running lab's
 * URL (it may have been started on other ports); otherwise the lab's default URL.
 */
import type { LabInfo } from '../lab/lab';
import { DEFAULT_SECURE_URL, DEFAULT_VULNERABLE_URL, type SherpaSettings } from './settings';

export interface ServerEndpoints {
  secureUrl: string;
  vulnerableUrl: string;
}

/** Resolves the two MCP endpoint URLs from settings and the lab (see the module comment for the order). */
export function resolveEndpoints(settings: SherpaSettings, lab: LabInfo | undefined): ServerEndpoints {
  return {
    secureUrl: settings.secureServerUrl ?? lab?.secure ?? DEFAULT_SECURE_URL,
    vulnerableUrl: settings.vulnerableServerUrl ?? lab?.vulnerable ?? DEFAULT_VULNERABLE_URL,
  };
}
