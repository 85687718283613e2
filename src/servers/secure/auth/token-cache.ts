import { hash } from 'node:crypto';
import type { JWTPayload } from 'jose';

/**
 * A small cache of tokens that passed FULL verification (signature, iss, aud, exp, nbf, alg), so a busy
 * client does not cost an RSA verification per request. Keyed by the SHA-256 of the token (the token itself
 * is not kept as a key), an entry lives until the token's own `exp` and no longer, and the map is capped
 * (oldest-used entry evicted first). Only the claims are cached: scope and tenant policy still run on every
 * request, so a policy change applies immediately.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { claims: JWTPayload; expiresAtMs: number }>();

  constructor(private readonly options: { maxEntries: number; now?: () => number } = { maxEntries: 1000 }) {}

  get size(): number {
    return this.entries.size;
  }

  /** The verified claims of `token`, or undefined when unknown or expired (expired entries are dropped). */
  getClaims(token: string): JWTPayload | undefined {
    const key = hashToken(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAtMs <= this.now()) return undefined;
    this.entries.set(key, entry); // re-insert: Map order doubles as recency order
    return entry.claims;
  }

  /** Remembers claims of a token that was just fully verified. Tokens without `exp` are never cached. */
  rememberClaims(token: string, claims: JWTPayload): void {
    if (typeof claims.exp !== 'number') return;
    const expiresAtMs = claims.exp * 1000;
    if (expiresAtMs <= this.now()) return;
    const key = hashToken(token);
    this.entries.delete(key);
    this.entries.set(key, { claims, expiresAtMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }
}

/** One-shot SHA-256 (`crypto.hash`, Node ≥ 20.12): no Hash object per request on the hot path. */
function hashToken(token: string): string {
  return hash('sha256', token, 'base64url');
}
