/**
 * Which MCP servers Sherpa knows, each under its own id: the two the settings/lab name (the secure and
 * the vulnerable server, whose URLs follow settings and the lab's ports), the running lab's own two when
 * the settings point elsewhere (an Azure deployment, say — so both can be compared side by side), and any
 * number the person added by URL (their own server, one from mcp.json). Nothing branches on an id: how
 * a server is connected is its `auth`.
 */
import type { ServerEndpoints } from '../endpoints';

export type ServerId = string;

/** How Sherpa authenticates to the server: OAuth discovery (MCP authorization) or a static bearer token. */
export type ServerAuth = 'oauth' | 'static-token';

export interface ServerTarget {
  /** Registry key; stays the same when the URL does not (the lab on other ports). */
  id: ServerId;
  url: string;
  /** Row label in the Servers view and the pickers. */
  label: string;
  /** "secure server": for messages and result titles ("whoami (secure server)"). */
  noun: string;
  auth: ServerAuth;
  /** Added by the person (can be removed again); the configured two cannot. */
  added: boolean;
}

/** The server named by `sherpa.secureServer.url` (default: the lab's secure server). */
export const SECURE_SERVER_ID: ServerId = 'configured:secure';
/** The server named by `sherpa.vulnerableServer.url` (default: the lab's vulnerable server). */
export const VULNERABLE_SERVER_ID: ServerId = 'configured:vulnerable';

/** The running lab's secure server, listed when the settings name another secure server. */
export const LAB_SECURE_SERVER_ID: ServerId = 'lab:secure';
/** The running lab's vulnerable server, listed when the settings name another vulnerable server. */
export const LAB_VULNERABLE_SERVER_ID: ServerId = 'lab:vulnerable';

/**
 * The configured servers, in the Servers view's order (the insecure one first: the story starts there),
 * then the running lab's servers that the settings do not already name.
 */
export function configuredServers(
  urls: ServerEndpoints,
  lab?: { secure: string; vulnerable: string },
): ServerTarget[] {
  const fromLab: ServerTarget[] = [];
  if (lab && lab.vulnerable !== urls.vulnerableUrl) {
    fromLab.push({
      id: LAB_VULNERABLE_SERVER_ID,
      url: lab.vulnerable,
      label: 'Lab vulnerable server (static token — INSECURE)',
      noun: 'lab vulnerable server',
      auth: 'static-token',
      added: false,
    });
  }
  if (lab && lab.secure !== urls.secureUrl) {
    fromLab.push({
      id: LAB_SECURE_SERVER_ID,
      url: lab.secure,
      label: 'Lab secure server (OAuth 2.1)',
      noun: 'lab secure server',
      auth: 'oauth',
      added: false,
    });
  }
  return [
    {
      id: VULNERABLE_SERVER_ID,
      url: urls.vulnerableUrl,
      label: 'Vulnerable server (static token — INSECURE)',
      noun: 'vulnerable server',
      auth: 'static-token',
      added: false,
    },
    {
      id: SECURE_SERVER_ID,
      url: urls.secureUrl,
      label: 'Secure server (OAuth 2.1)',
      noun: 'secure server',
      auth: 'oauth',
      added: false,
    },
    ...fromLab,
  ];
}

/**
 * A server the person added by URL (already checked by core's parseServerUrl). Connected through OAuth
 * discovery: a server that needs no token answers the first call, one with a static token is not
 * something Sherpa helps to add.
 */
export function addedServer(url: URL, label?: string): ServerTarget {
  const shown = label?.trim() || `${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  return {
    id: `url:${url.href}`,
    url: url.href,
    label: shown,
    noun: shown,
    auth: 'oauth',
    added: true,
  };
}
