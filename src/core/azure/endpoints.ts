/**
 * Where Sherpa finds Azure: Resource Manager, Microsoft Graph and the Entra sign-in host. Public cloud by
 * default; sovereign clouds (and the tests' local stand-in) set them. The CLI reads
 * `AZURE_RESOURCE_MANAGER_ENDPOINT`, `MICROSOFT_GRAPH_ENDPOINT` and `AZURE_AUTHORITY_HOST` (the last is
 * @azure/identity's own variable); the extension reads its `sherpa.azure.*` settings.
 */
import { SherpaError } from '../errors';

export interface AzureEndpoints {
  /** e.g. https://management.azure.com (no trailing slash). */
  resourceManager: string;
  /** e.g. https://graph.microsoft.com */
  graph: string;
  /** e.g. https://login.microsoftonline.com */
  authorityHost: string;
}

export const PUBLIC_CLOUD: AzureEndpoints = {
  resourceManager: 'https://management.azure.com',
  graph: 'https://graph.microsoft.com',
  authorityHost: 'https://login.microsoftonline.com',
};

/** Entra's own sign-in hosts: instance discovery works for these; any other host is a private cloud or a test. */
const KNOWN_AUTHORITY_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
];

export function isKnownAuthorityHost(authorityHost: string): boolean {
  return KNOWN_AUTHORITY_HOSTS.includes(new URL(authorityHost).hostname);
}

/** Reads the three endpoints from an environment (CLI), each validated as an https URL. */
export function azureEndpointsFromEnv(env: NodeJS.ProcessEnv): AzureEndpoints {
  return {
    resourceManager: endpoint(env, 'AZURE_RESOURCE_MANAGER_ENDPOINT', PUBLIC_CLOUD.resourceManager),
    graph: endpoint(env, 'MICROSOFT_GRAPH_ENDPOINT', PUBLIC_CLOUD.graph),
    authorityHost: endpoint(env, 'AZURE_AUTHORITY_HOST', PUBLIC_CLOUD.authorityHost),
  };
}

/** Validates endpoints given some other way (the extension's settings), named by `label(key)`. */
export function validateAzureEndpoints(
  e: AzureEndpoints,
  label: (key: keyof AzureEndpoints) => string,
): AzureEndpoints {
  return {
    resourceManager: normalize(e.resourceManager, label('resourceManager')),
    graph: normalize(e.graph, label('graph')),
    authorityHost: normalize(e.authorityHost, label('authorityHost')),
  };
}

function endpoint(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? normalize(value, name) : fallback;
}

function normalize(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SherpaError('BAD_ARGUMENT', `${name} is not a URL: '${value}'`, {
      hint: `Set ${name} to an https URL, e.g. ${PUBLIC_CLOUD.resourceManager}, or unset it for the public cloud.`,
    });
  }
  if (url.protocol !== 'https:') {
    throw new SherpaError('INSECURE_TRANSPORT', `${name} must be https: '${value}'`, {
      hint: 'Azure tokens are bearer credentials; they only travel over TLS.',
    });
  }
  return url.href.replace(/\/$/, '');
}
