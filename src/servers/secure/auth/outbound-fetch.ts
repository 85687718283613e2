import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';

/**
 * How the secure server reaches its issuer (discovery + JWKS) from inside a network that allows the
 * internet only through a proxy, or that re-signs TLS with its own CA. The same two settings a corporate
 * deployment uses — an https proxy and extra CA certificates — are how the Entra lab is reached offline:
 * the lab's proxy stands where the corporate proxy would, the lab CA where the corporate CA would.
 */
export interface OutboundHttpOptions {
  /** Proxy for https:// URLs (`HTTPS_PROXY` semantics), e.g. `http://127.0.0.1:7483`. */
  httpsProxy?: string;
  /** Proxy for http:// URLs (`HTTP_PROXY`). */
  httpProxy?: string;
  /** Hosts that bypass the proxy (`NO_PROXY`: comma list, `*`, `.suffix`, host:port). */
  noProxy?: string;
  /**
   * CA certificates (PEM) trusted IN ADDITION to Node's bundled roots (`NODE_EXTRA_CA_CERTS`
   * semantics). A separate process can just set NODE_EXTRA_CA_CERTS; in-process callers pass them here.
   */
  extraCaCertificates?: string[];
}

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch over undici's `EnvHttpProxyAgent` (which implements HTTP(S)_PROXY/NO_PROXY matching) when any
 * option is set; the global fetch otherwise. Values not given fall back to the environment variables
 * of the same name, as every proxy-aware tool does.
 */
export function createOutboundFetch(o: OutboundHttpOptions = {}): FetchLike {
  const configured = o.httpsProxy || o.httpProxy || o.noProxy || o.extraCaCertificates?.length;
  if (!configured) return (input, init) => fetch(input, init);
  // `ca` replaces the default roots in node's TLS, so the bundled roots go in first.
  const ca = o.extraCaCertificates?.length ? [...rootCertificates, ...o.extraCaCertificates] : undefined;
  const dispatcher = new EnvHttpProxyAgent({
    httpsProxy: o.httpsProxy,
    httpProxy: o.httpProxy,
    noProxy: o.noProxy,
    ...(ca ? { connect: { ca }, requestTls: { ca } } : {}),
  });
  return (input, init) =>
    undiciFetch(input, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    }) as unknown as Promise<Response>;
}
