/**
 * The explicit channel between the token broker and Sherpa's authentication provider. VS Code's
 * `getSession(providerId, scopes, …)` carries only a scope list to the provider's `createSession`, and
 * hands the provider's error back to the caller as a plain Error (message only). Two things must cross
 * anyway: the engine's openid-client Configuration for the sign-in (so the provider does not discover the
 * issuer a second time, under another network policy), and the provider's SherpaError with its code
 * (LOGIN_TIMEOUT → offer the device code grant).
 *
 * Each `getSession` the broker makes is one {@link SignInRequest}, keyed by what the scope list names —
 * issuer, RFC 8707 resource and client (scope-encoding.ts) — because that list is all createSession
 * receives. Lifetime: the broker opens a request before it calls getSession and ends it when getSession
 * settles (finally); createSession claims an open request of its key once and records its failure on it.
 * Requests for two servers never share a key (the resource is the server's PRM `resource`), so concurrent
 * connects cannot swap configurations or failures; two open requests for the same key are sign-ins to the
 * same issuer for the same server and client, so which of them a createSession claims does not matter.
 * No `vscode` import: test/unit/extension/auth tests it directly.
 */
import type * as client from 'openid-client';
import type { SherpaError } from '../../core/errors';
import { decodeSherpaScopes } from './scope-encoding';

/** What the broker hands to the provider for one sign-in. */
export interface SignInOffer {
  /** The engine's Configuration for this issuer and client (TokenRequest.config). */
  config: client.Configuration;
  /** The loopback port the client's registered redirect URI names (DCR at an exact-match server). */
  redirectPort?: number;
}

/** The broker's handle on one getSession, from just before the call until it settles. */
export interface OpenSignIn {
  /** The provider's own error for this sign-in, with its code; undefined if it did not fail. */
  failure(): SherpaError | undefined;
  /** Closes the request (call it in a finally when getSession settles). */
  end(): void;
}

/** createSession's handle on the request it claimed. */
export interface ClaimedSignIn {
  /** The configuration offered, if its client is the one the scope list names. */
  readonly offer: SignInOffer | undefined;
  /** Records the provider's failure for the broker that opened the request. */
  fail(err: SherpaError): void;
}

interface Entry {
  offer: SignInOffer | undefined;
  failure: SherpaError | undefined;
  claimed: boolean;
}

/** The issuer + resource + client a `sherpa-oauth` scope list names: the key of its sign-in requests. */
export function signInKey(scopes: readonly string[]): string {
  const r = decodeSherpaScopes(scopes);
  return JSON.stringify([r.issuer ?? '', r.resource ?? '', r.clientId ?? '']);
}

export class SignInRequests {
  private readonly open = new Map<string, Entry[]>();

  /**
   * Opens the request for one getSession with `scopes`. `offer` is kept only when its client is the one
   * the scopes name (a configuration for another client would sign in as that client).
   */
  begin(scopes: readonly string[], offer?: SignInOffer): OpenSignIn {
    const key = signInKey(scopes);
    const clientId = decodeSherpaScopes(scopes).clientId;
    const kept = offer && offer.config.clientMetadata().client_id === clientId ? offer : undefined;
    const entry: Entry = { offer: kept, failure: undefined, claimed: false };
    this.open.set(key, [...(this.open.get(key) ?? []), entry]);
    return {
      failure: () => entry.failure,
      end: () => {
        const left = (this.open.get(key) ?? []).filter((e) => e !== entry);
        if (left.length) this.open.set(key, left);
        else this.open.delete(key);
      },
    };
  }

  /**
   * createSession's side: the first unclaimed open request for the scope list it was given, claimed so
   * that no other createSession takes it; undefined when none is open (a sign-in VS Code started itself,
   * e.g. from the Accounts menu).
   */
  claim(scopes: readonly string[]): ClaimedSignIn | undefined {
    const entry = this.open.get(signInKey(scopes))?.find((e) => !e.claimed);
    if (!entry) return undefined;
    entry.claimed = true;
    return {
      offer: entry.offer,
      fail: (err) => {
        entry.failure = err;
      },
    };
  }

  /** How many requests are open (none is left behind once every getSession settled). */
  get size(): number {
    let n = 0;
    for (const list of this.open.values()) n += list.length;
    return n;
  }
}
