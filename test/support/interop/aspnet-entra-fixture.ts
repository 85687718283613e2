/**
 * The ASP.NET Core MCP server (test/interop/dotnet/AspNetEntraMcp) trusting a running `sherpa lab --entra`
 * through the lab's proxy and CA only, as a server behind a corporate TLS proxy would: shared by the interop
 * tests of Microsoft.Identity.Web's validation, `sherpa connect` and `sherpa audit`. Their sign-in is
 * test/support/entra-lab-sign-in.ts.
 */
import { LAB_API_CLIENT_ID, LAB_TENANT_ID } from '../../../src/servers/shared/lab-defaults';
import { findFreePorts } from '../../../src/lab/free-port';
import type { LabProcess } from '../lab';
import { startDotnetServer, type DotnetServer } from './dotnet';

export interface AspNetServer extends DotnetServer {
  /** The MCP endpoint (PRM `resource`). */
  mcpUrl: string;
}

/**
 * Starts the built server for the lab API (`AzureAd` = the lab tenant and API client id). `variant`
 * `no-audience` switches its audience check off (the deliberately broken variant).
 */
export async function startAspNetEntraServer(
  dll: string,
  lab: LabProcess,
  o: { variant?: 'default' | 'no-audience'; env?: NodeJS.ProcessEnv } = {},
): Promise<AspNetServer> {
  const entra = lab.entra!;
  const [port] = await findFreePorts('127.0.0.1', 1);
  const mcpUrl = `http://127.0.0.1:${port}/mcp`;
  const server = await startDotnetServer(dll, {
    ASPNETCORE_URLS: `http://127.0.0.1:${port}`,
    AzureAd__Instance: 'https://login.microsoftonline.com/',
    AzureAd__TenantId: LAB_TENANT_ID,
    AzureAd__ClientId: LAB_API_CLIENT_ID,
    Mcp__ResourceUrl: mcpUrl,
    // What a server behind a TLS-inspecting corporate proxy sets: the proxy, and the proxy's CA as the
    // trust store (.NET on Linux reads SSL_CERT_FILE through OpenSSL). Nothing lab-specific.
    HTTPS_PROXY: entra.proxyUrl,
    NO_PROXY: '',
    SSL_CERT_FILE: entra.caPath,
    SHERPA_INTEROP_VARIANT: o.variant ?? 'default',
    ...o.env,
  });
  return { ...server, mcpUrl };
}

/** The environment a CLI on the same machine uses to reach the Entra lab: its proxy and its CA. */
export function entraClientEnv(lab: LabProcess): NodeJS.ProcessEnv {
  return {
    HTTPS_PROXY: lab.entra!.proxyUrl,
    NO_PROXY: '127.0.0.1,localhost',
    NODE_EXTRA_CA_CERTS: lab.entra!.caPath,
  };
}
