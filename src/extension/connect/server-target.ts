/**
 * Which MCP servers Sherpa knows, each under its own id: the two the settings/lab name (the secure and
 * the vulnerable server, whose URLs follow settings and the lab's ports) and any number the person added
 * by URL (their own server, one from mcp.json, an Azure deployment). Nothing branches on an id: how a
 * server is connected is its `auth`.
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

/** The two configured servers, in the Servers view's order (the insecure one first: the story starts there). */
export function configuredServers(urls: ServerEndpoints): ServerTarget[] {
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
