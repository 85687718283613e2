import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthError } from './errors';
import type { FetchLike } from './outbound-fetch';

export interface IssuerKeySetOptions {
  /** Least time between two JWKS downloads triggered by unknown `kid`s. Default 2 s. */
  cooldownMs?: number;
  /**
   * Longest a request with an unknown `kid` is held until the cooldown ends and a refetch is allowed.
   * Default = the cooldown. Beyond it the answer is 503 + Retry-After instead.
   */
  maxWaitMs?: number;
  /** Age after which the key set is refreshed on the next request. Default 10 min. */
  maxAgeMs?: number;
  /** Give up on one download after this long. Default 2 s: a hung issuer must not hang our callers. */
  timeoutMs?: number;
  /** After a failed download, serve from the last good set without retrying for this long. Default 5 s. */
  retryAfterFailureMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** How to download (proxy, extra CA trust: outbound-fetch.ts). Default: the global fetch. */
  fetch?: FetchLike;
}

export interface IssuerKeySet {
  getKey: JWTVerifyGetKey;
  /** Downloads attempted so far (for tests and the bench). */
  readonly fetches: number;
  /**
   * Goes up each time a download brings a key set different from the one before (a key added or
   * withdrawn): what verified-token caches follow (token-cache.ts). Cheap to read on every request.
   */
  readonly keysVersion: number;
}

/**
 * The issuer's signing keys (RFC 7517 JWK Set, OIDC Discovery `jwks_uri`), fetched and cached by jose's
 * `createRemoteJWKSet`, with the two behaviours a resource server in front of Entra ID needs on top:
 *
 * - **Key rollover.** Entra publishes a new key some time before it signs with it, so a token naming an
 *   unknown `kid` normally means "refetch". jose refetches at most once per cooldown; a token with a new
 *   `kid` that arrives during a cooldown (the rotation happened just after our last download) would be
 *   refused with 401 — and a 401 sends the client back through sign-in, only to get another token with
 *   the same new kid: a sign-in loop. Instead such a request waits for the cooldown to end (bounded by
 *   `maxWaitMs`; all waiters share one timer and one download) and is answered after that refetch: 200
 *   for a key the issuer now publishes, 401 for a kid it still does not. Where the remaining cooldown is
 *   longer than `maxWaitMs` the answer is 503 + `Retry-After`. The issuer sees at most one download per
 *   cooldown however many forged kids arrive.
 * - **Issuer down.** The keys we already hold keep verifying when a refresh fails (jose would otherwise
 *   fail every request once the cache is older than `maxAgeMs`), and for `retryAfterFailureMs` after a
 *   failure no request waits on the issuer again; an unknown `kid` meanwhile is a fast 503 + Retry-After.
 *   When the issuer answers again the next refresh succeeds: recovery needs no restart.
 */
export function createIssuerKeySet(jwksUri: string, o: IssuerKeySetOptions = {}): IssuerKeySet {
  const now = o.now ?? Date.now;
  const cooldownMs = o.cooldownMs ?? 2_000;
  const maxWaitMs = o.maxWaitMs ?? cooldownMs;
  const retryAfterFailureMs = o.retryAfterFailureMs ?? 5_000;
  let fetches = 0;
  let successes = 0;
  let lastDownloadAt = -Infinity;
  let lastFailureAt = -Infinity;

  const recordingFetch: FetchImplementation = async (url, init) => {
    fetches++;
    try {
      const res = await (o.fetch ?? fetch)(url, init);
      if (res.status === 200) {
        successes++;
        lastDownloadAt = now();
      } else lastFailureAt = now();
      return res;
    } catch (err) {
      lastFailureAt = now();
      throw err;
    }
  };
  const remote = createRemoteJWKSet(new URL(jwksUri), {
    cooldownDuration: cooldownMs,
    cacheMaxAge: o.maxAgeMs ?? 10 * 60_000,
    timeoutDuration: o.timeoutMs ?? 2_000,
    [customFetch]: recordingFetch,
  });

  let lastGood: { generation: number; getKey: JWTVerifyGetKey } | undefined;
  const lastGoodKeys = (): JWTVerifyGetKey | undefined => {
    if (successes === 0) return undefined;
    if (lastGood?.generation !== successes) {
      const jwks = remote.jwks();
      if (!jwks) return undefined;
      lastGood = { generation: successes, getKey: createLocalJWKSet(jwks) };
    }
    return lastGood.getKey;
  };
  const cooldownOver = sharedWait();
  const secondsLeft = (since: number, windowMs: number) =>
    Math.max(1, Math.ceil((since + windowMs - now()) / 1000));

  /** Lookup in the keys we hold, without touching the network; an unknown kid is "retry later". */
  const fromLastGood: JWTVerifyGetKey = async (header, token) => {
    const local = lastGoodKeys();
    if (!local) throw unavailable(secondsLeft(lastFailureAt, retryAfterFailureMs));
    try {
      return await local(header, token);
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey)
        throw unavailable(secondsLeft(lastFailureAt, retryAfterFailureMs));
      throw err;
    }
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (now() - lastFailureAt < retryAfterFailureMs) return fromLastGood(header, token);
    // jose refetches on an unknown kid only outside the cooldown; know beforehand which case this is.
    const mayRefetch = !remote.coolingDown;
    try {
      return await remote(header, token);
    } catch (err) {
      if (!keyProblem(err)) return fromLastGood(header, token); // download failed: our problem, not theirs
      if (!(err instanceof joseErrors.JWKSNoMatchingKey) || mayRefetch) throw err; // fresh download: 401
    }
    const waitMs = lastDownloadAt + cooldownMs - now();
    if (waitMs > maxWaitMs) {
      throw new AuthError('signing_key_pending', undefined, {
        retryAfterSeconds: secondsLeft(lastDownloadAt, cooldownMs),
      });
    }
    await cooldownOver(waitMs);
    try {
      // jose may refetch now (or another waiter just did): whatever it finds is the final answer.
      return await remote(header, token);
    } catch (err) {
      if (keyProblem(err)) throw err;
      return fromLastGood(header, token);
    }
  };
  const currentKeysVersion = keysVersionOf(() => remote.jwks());
  return {
    getKey,
    get fetches() {
      return fetches;
    },
    get keysVersion() {
      return currentKeysVersion();
    },
  };
}

/** One timer for every request waiting out the cooldown: they all wake together for the one refetch. */
function sharedWait(): (waitMs: number) => Promise<void> {
  let timer: Promise<void> | undefined;
  return (waitMs) =>
    (timer ??= new Promise<void>((resolve) =>
      setTimeout(
        () => {
          timer = undefined;
          resolve();
        },
        Math.max(0, waitMs) + 5,
      ).unref(),
    ));
}

/** The issuer's keys cannot be had now: 503 + Retry-After (not a token problem, no challenge). */
function unavailable(retryAfterSeconds: number): AuthError {
  return new AuthError('signing_keys_unavailable', undefined, { retryAfterSeconds });
}

/** Errors about the token itself go to the caller (401); a failed download falls back to held keys. */
function keyProblem(err: unknown): boolean {
  return (
    err instanceof joseErrors.JWKSNoMatchingKey ||
    err instanceof joseErrors.JWKSMultipleMatchingKeys ||
    err instanceof joseErrors.JOSENotSupported ||
    err instanceof joseErrors.JOSEAlgNotAllowed
  );
}

/**
 * A counter that moves when the downloaded key set changes (token-cache.ts flushes on it). jose replaces
 * its set object on every successful download; only then is the set compared.
 */
function keysVersionOf(jwks: () => { keys: readonly object[] } | undefined): () => number {
  let seenJwks: unknown;
  let seenKeys: string | undefined;
  let version = 0;
  return () => {
    const current = jwks();
    if (current === seenJwks) return version;
    seenJwks = current;
    const keys = current ? keySetFingerprint(current.keys) : undefined;
    if (seenKeys !== undefined && keys !== seenKeys) version++;
    seenKeys = keys;
    return version;
  };
}

/** The published keys in a comparable form: order and key parameters' order do not matter. */
function keySetFingerprint(keys: readonly object[]): string {
  return keys
    .map((k) => JSON.stringify(Object.entries(k).sort(([a], [b]) => (a < b ? -1 : 1))))
    .sort()
    .join('\n');
}
