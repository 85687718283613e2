/**
 * When to offer "trust this `api://…` identifier as THIS server's API" (core/client/trusted-apis.ts), decided
 * without any UI. Core's scope policy refuses an Entra `api://` scope that the person has not trusted for
 * the server asking (UNTRUSTED_SCOPE, naming the identifier in its details); the extension then asks,
 * naming that server, and stores the answer for that server URL only. No `vscode` import.
 */
import { isSherpaError } from '../../core/errors';
import { trustKey } from '../../core/client/trusted-apis';

export interface ApiTrustOffer {
  /** The MCP server the identifier would be bound to (canonical URL). */
  serverUrl: string;
  apiIdentifier: string;
  /** The identifier is in the old flat `sherpa.entra.trustedApiIdentifierUris` list (trusted for no server now). */
  fromOldList: boolean;
}

/** Asks the person; true = trust it for this server. */
export type ConfirmApiTrust = (offer: ApiTrustOffer) => Promise<boolean>;

/** The offer a refusal leads to, or undefined when trusting an identifier would not change it. */
export function apiTrustOfferFor(
  err: unknown,
  serverUrl: string,
  oldList: readonly string[],
): ApiTrustOffer | undefined {
  if (!isSherpaError(err, 'UNTRUSTED_SCOPE')) return undefined;
  const id = err.details?.apiIdentifier;
  const key = trustKey(serverUrl);
  if (typeof id !== 'string' || !/^api:\/\/\S+$/i.test(id) || !key) return undefined;
  const same = (a: string) => a.replace(/\/$/, '').toLowerCase() === id.replace(/\/$/, '').toLowerCase();
  return { serverUrl: key, apiIdentifier: id, fromOldList: oldList.some(same) };
}
