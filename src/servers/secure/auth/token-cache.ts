import { hash } from 'node:crypto';
import type { JWTPayload } from 'jose';

export interface VerifiedTokenCacheOptions {
  maxEntries: number;
  /** Longest an entry is trusted without verifying the token again, whatever its `exp`. Default 5 min. */
  maxEntryMs?: number;
  now?: () => number;
}

/** Default entry life: a key that leaves the issuer's JWKS stops being honoured within this time at most. */
export const DEFAULT_CACHE_ENTRY_MS = 5 * 60_000;

/**
 * A small cache of tokens that passed FULL verification (signature, iss, aud, exp, nbf, alg), so a busy
 * client does not cost an RSA verification per request. Keyed by the SHA-256 of the token (the token itself
 * is not kept as a key). An entry lives until the token's own `exp` or `maxEntryMs`, whichever comes first,
 * and only as long as the issuer's key set is the one it was verified against: a `keysVersion` other than
 * the entries' (a JWKS refetch that changed the set — a rotation, a key withdrawn) flushes them all, so a
 * token whose key the issuer no longer publishes is verified again and refused. The map is capped
 * (oldest-used entry evicted first). Only the claims are cached: scope and tenant policy still run on every
 * request, so a policy change applies immediately.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { claims: JWTPayload; expiresAtMs: number }>();
  private keysVersion: number | undefined;
  private readonly maxEntryMs: number;

  constructor(private readonly options: VerifiedTokenCacheOptions = { maxEntries: 1000 }) {
    this.maxEntryMs = options.maxEntryMs ?? DEFAULT_CACHE_ENTRY_MS;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The verified claims of `token`, or undefined when unknown, expired (dropped) or verified against
   * another key set than `keysVersion` (everything dropped).
   */
  getClaims(token: string, keysVersion = 0): JWTPayload | undefined {
    this.followKeys(keysVersion);
    const key = hashToken(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAtMs <= this.now()) return undefined;
    this.entries.set(key, entry); // re-insert: Map order doubles as recency order
    return entry.claims;
  }

  /**
   * Remembers claims of a token that was just fully verified with key set `keysVersion`. Tokens without
   * `exp` are never cached.
   */
  rememberClaims(token: string, claims: JWTPayload, keysVersion = 0): void {
    if (typeof claims.exp !== 'number') return;
    this.followKeys(keysVersion);
    const now = this.now();
    const expiresAtMs = Math.min(claims.exp * 1000, now + this.maxEntryMs);
    if (expiresAtMs <= now) return;
    const key = hashToken(token);
    this.entries.delete(key);
    this.entries.set(key, { claims, expiresAtMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** A new key set invalidates every verification made with the old one. */
  private followKeys(keysVersion: number): void {
    if (this.keysVersion === keysVersion) return;
    if (this.keysVersion !== undefined) this.entries.clear();
    this.keysVersion = keysVersion;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }
}

/** One-shot SHA-256 (`crypto.hash`, Node ≥ 20.12): no Hash object per request on the hot path. */
function hashToken(token: string): string {
  return hash('sha256', token, 'base64url');
}
