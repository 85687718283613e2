/**
 * Every setting key Sherpa reads, in one place (the manifest's `contributes.configuration` declares the
 * same keys with their descriptions), plus a typed snapshot of their values. No credential is a setting:
 * the vulnerable server's static token lives in SecretStorage (vulnerable-token.ts).
 */
import * as vscode from 'vscode';
import { LAB_DEFAULT_PORTS, LAB_HOST } from '../servers/shared/lab-defaults';
import { AZURE_CLIENT_ID, VSCODE_CLIENT_ID } from '../core/well-known-ids';
import { cleanTrustedApis, type TrustedApiIdentifiers } from '../core/client/trusted-apis';
import { AZURE_SETTING_KEYS, readAzureSettings, type AzureSettings } from './azure/azure-settings';

export const SETTINGS_SECTION = 'sherpa';

/** Keys relative to the `sherpa` section. */
export const SettingKeys = {
  secureServerUrl: 'secureServer.url',
  vulnerableServerUrl: 'vulnerableServer.url',
  entraTenant: 'entra.tenant',
  entraTrustedApisByServer: 'entra.trustedApiIdentifiersByServer',
  /** The old flat list: read only to migrate it (connect/api-trust.ts); it grants nothing. */
  entraOldTrustedApiIdentifierUris: 'entra.trustedApiIdentifierUris',
  authClientId: 'auth.clientId',
  azureCliClientId: 'auth.azureCliClientId',
  authClientIds: 'auth.clientIds',
  authClientMetadataUrl: 'auth.clientMetadataUrl',
  authSignInTimeoutSeconds: 'auth.signInTimeoutSeconds',
  labAuthorizationServerPort: 'lab.authorizationServerPort',
  labVulnerablePort: 'lab.vulnerablePort',
  labSecurePort: 'lab.securePort',
  labAutostart: 'lab.autostart',
  signInBrowser: 'signIn.browser',
  ...AZURE_SETTING_KEYS,
} as const;

export type SettingKey = (typeof SettingKeys)[keyof typeof SettingKeys];

export interface SherpaSettings {
  /** Explicitly configured URL, or undefined when the user left the default (then the lab's URL wins). */
  secureServerUrl?: string;
  vulnerableServerUrl?: string;
  entraTenant?: string;
  /** Per MCP server URL: `api://…` identifier URIs trusted as that server's API on Entra (trusted-apis.ts). */
  entraTrustedApis: TrustedApiIdentifiers;
  /** The old flat list, waiting to be bound to a server by the person; trusted for no server. */
  entraOldTrustedApiIdentifierUris: string[];
  authClientId: string;
  azureCliClientId: string;
  /** Client ids registered at other authorization servers, by issuer (pre-registered-clients.ts). */
  authClientIds: Record<string, string>;
  /** https URL where Sherpa's Client ID Metadata Document is hosted, for servers that support CIMD. */
  authClientMetadataUrl?: string;
  /** How long a person has to sign in (consent, login page, redirect back). */
  signInTimeoutMs: number;
  labPorts: { authorizationServer: number; vulnerable: number; secure: number };
  labAutostart: boolean;
  /** Where the sign-in browser runs: decides forwarded addresses (src/extension/remote/). */
  signInBrowser: 'auto' | 'remote' | 'sameMachine';
  /** User settings only (azure-settings.ts): a workspace cannot choose where Azure credentials go. */
  azure: AzureSettings;
}

export const DEFAULT_SECURE_URL = `http://${LAB_HOST}:${LAB_DEFAULT_PORTS.secure}/mcp`;
export const DEFAULT_VULNERABLE_URL = `http://${LAB_HOST}:${LAB_DEFAULT_PORTS.vulnerable}/mcp`;

/** Reads the current settings. URLs are `undefined` unless set at some scope, so the lab can fill them. */
export function readSettings(): SherpaSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const nonEmpty = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
  return {
    secureServerUrl: nonEmpty(explicitValue<string>(c, SettingKeys.secureServerUrl)),
    vulnerableServerUrl: nonEmpty(explicitValue<string>(c, SettingKeys.vulnerableServerUrl)),
    entraTenant: nonEmpty(explicitValue<string>(c, SettingKeys.entraTenant)),
    entraTrustedApis: cleanTrustedApis(explicitValue<unknown>(c, SettingKeys.entraTrustedApisByServer)),
    entraOldTrustedApiIdentifierUris: (
      explicitValue<string[]>(c, SettingKeys.entraOldTrustedApiIdentifierUris) ?? []
    )
      .filter((u) => typeof u === 'string' && /^api:\/\/\S+$/i.test(u.trim()))
      .map((u) => u.trim()),
    authClientId: nonEmpty(explicitValue<string>(c, SettingKeys.authClientId)) ?? VSCODE_CLIENT_ID,
    azureCliClientId: nonEmpty(explicitValue<string>(c, SettingKeys.azureCliClientId)) ?? AZURE_CLIENT_ID,
    authClientIds: stringEntries(explicitValue<Record<string, unknown>>(c, SettingKeys.authClientIds)),
    authClientMetadataUrl: httpsUrl(explicitValue<string>(c, SettingKeys.authClientMetadataUrl)),
    signInTimeoutMs: Math.max(30, c.get<number>(SettingKeys.authSignInTimeoutSeconds) ?? 300) * 1000,
    labPorts: {
      authorizationServer:
        c.get<number>(SettingKeys.labAuthorizationServerPort) ?? LAB_DEFAULT_PORTS.authorizationServer,
      vulnerable: c.get<number>(SettingKeys.labVulnerablePort) ?? LAB_DEFAULT_PORTS.vulnerable,
      secure: c.get<number>(SettingKeys.labSecurePort) ?? LAB_DEFAULT_PORTS.secure,
    },
    labAutostart: c.get<boolean>(SettingKeys.labAutostart) ?? false,
    signInBrowser: signInBrowserValue(c.get<string>(SettingKeys.signInBrowser)),
    azure: readAzureSettings(c),
  };
}

/** `{ issuer: clientId }` entries whose issuer is an http(s) URL and whose id is a non-empty string. */
function stringEntries(v: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [issuer, id] of Object.entries(v ?? {})) {
    if (typeof id === 'string' && id.trim() && /^https?:\/\//i.test(issuer) && URL.canParse(issuer))
      out[issuer] = id.trim();
  }
  return out;
}

/** A CIMD client id must be an https URL with a path (draft-ietf-oauth-client-id-metadata-document §3). */
function httpsUrl(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t && URL.canParse(t) && new URL(t).protocol === 'https:' ? t : undefined;
}

function signInBrowserValue(v: string | undefined): SherpaSettings['signInBrowser'] {
  return v === 'remote' || v === 'sameMachine' ? v : 'auto';
}

/** True when a configuration change touches any Sherpa setting. */
export function affectsSherpa(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SETTINGS_SECTION);
}

/**
 * A value the person set in their own (user or remote-machine) settings; the manifest default does not
 * count, and neither does a workspace's `.vscode/settings.json`. These settings decide where stored
 * sessions and tokens are sent and with which client, so a cloned repository must not be able to change
 * them (the manifest declares them `"scope": "machine"`; this ignores workspace values even so).
 */
function explicitValue<T>(c: vscode.WorkspaceConfiguration, key: string): T | undefined {
  return c.inspect<T>(key)?.globalValue;
}

/**
 * True when a proxy resolves host names for the extension host (VS Code's `http.proxy`, or the
 * environment's HTTPS_PROXY that VS Code also honours): Sherpa then does not resolve names itself to
 * check their addresses, so no lookup goes to a resolver the person's network does not use.
 */
export function proxyResolvesNames(): boolean {
  const configured = vscode.workspace.getConfiguration('http').get<string>('proxy');
  return Boolean(configured?.trim() || process.env.HTTPS_PROXY || process.env.https_proxy);
}
