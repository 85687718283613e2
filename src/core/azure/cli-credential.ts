/**
 * The CLI's Azure sign-in: @azure/identity's environment credential (service principal or workload
 * identity from AZURE_* variables, what pipelines use), then the Azure CLI's signed-in account. The
 * extension uses VS Code's `microsoft` session instead (src/extension/azure/vscode-credential.ts).
 */
import {
  AzureCliCredential,
  ChainedTokenCredential,
  EnvironmentCredential,
  type TokenCredential,
} from '@azure/identity';
import { isKnownAuthorityHost, type AzureEndpoints } from './endpoints';

export function createCliCredential(endpoints: AzureEndpoints, tenantId?: string): TokenCredential {
  // MSAL sends instance discovery to login.microsoftonline.com whatever the authority host says; a
  // private cloud (or the tests' local stand-in) must turn it off or every sign-in fails offline.
  const disableInstanceDiscovery = !isKnownAuthorityHost(endpoints.authorityHost);
  return new ChainedTokenCredential(
    new EnvironmentCredential({ authorityHost: endpoints.authorityHost, disableInstanceDiscovery }),
    new AzureCliCredential(tenantId ? { tenantId } : {}),
  );
}
