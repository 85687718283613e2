/**
 * The CLI behind a proxy. Node's own fetch ignores HTTPS_PROXY / HTTP_PROXY / NO_PROXY (before Node 24's
 * NODE_USE_ENV_PROXY), so `sherpa connect` and `sherpa audit` could not reach an Entra issuer from a network
 * that allows the internet only through a proxy (found by the ASP.NET Core interop test: the server itself
 * reached login.microsoftonline.com through the proxy, Sherpa's CLI did not). NODE_EXTRA_CA_CERTS, for a
 * TLS-inspecting proxy's CA, is read by Node itself at start.
 */
import { EnvHttpProxyAgent, setGlobalDispatcher } from 'undici';

/** The proxy variables as every proxy-aware tool reads them (lower case wins, as in curl). */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY || undefined;
}

/**
 * When a proxy variable is set, routes this process's fetches through undici's EnvHttpProxyAgent (which
 * implements HTTP(S)_PROXY and NO_PROXY matching) and returns true: the caller then stops resolving names
 * itself (the proxy resolves them; see core/net/guarded-fetch.ts). Returns false and changes nothing otherwise.
 */
export function useProxyFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!proxyFromEnvironment(env)) return false;
  setGlobalDispatcher(new EnvHttpProxyAgent());
  return true;
}
