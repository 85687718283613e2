import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifiedTokenCache } from '../../../../../src/servers/secure/auth/token-cache';

describe('VerifiedTokenCache', () => {
  it('returns claims until exp, then forgets them', () => {
    let now = 1_000_000_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 10, now: () => now });
    cache.rememberClaims('t1', { exp: now / 1000 + 60, oid: 'a' });
    assert.equal(cache.getClaims('t1')?.oid, 'a');
    now += 61_000;
    assert.equal(cache.getClaims('t1'), undefined);
    assert.equal(cache.size, 0);
  });

  it('never caches a token without exp or already expired', () => {
    const now = 1_000_000_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 10, now: () => now });
    cache.rememberClaims('no-exp', { oid: 'a' });
    cache.rememberClaims('old', { exp: now / 1000 - 1 });
    assert.equal(cache.size, 0);
  });

  it('evicts the least recently used entry beyond the cap', () => {
    const now = 1_000_000_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 2, now: () => now });
    const exp = now / 1000 + 600;
    cache.rememberClaims('a', { exp, n: 'a' });
    cache.rememberClaims('b', { exp, n: 'b' });
    cache.getClaims('a'); // a is now most recent
    cache.rememberClaims('c', { exp, n: 'c' });
    assert.equal(cache.size, 2);
    assert.equal(cache.getClaims('b'), undefined);
    assert.equal(cache.getClaims('a')?.n, 'a');
    assert.equal(cache.getClaims('c')?.n, 'c');
  });

  it("issue 16: an entry lives 5 minutes at most, whatever the token's exp (1e308 included)", () => {
    let now = 1_000_000_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 10, now: () => now });
    cache.rememberClaims('long', { exp: now / 1000 + 3600, n: 'long' });
    cache.rememberClaims('absurd', { exp: 1e308, n: 'absurd' });
    now += 5 * 60_000 - 1;
    assert.equal(cache.getClaims('long')?.n, 'long');
    assert.equal(cache.getClaims('absurd')?.n, 'absurd');
    now += 1;
    assert.equal(cache.getClaims('long'), undefined);
    assert.equal(cache.getClaims('absurd'), undefined);
    assert.equal(cache.size, 0);
  });

  it('issue 16: a new key-set version flushes every entry; the same version keeps them', () => {
    const now = 1_000_000_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 10, now: () => now });
    cache.rememberClaims('a', { exp: now / 1000 + 60, n: 'a' }, 3);
    cache.rememberClaims('b', { exp: now / 1000 + 60, n: 'b' }, 3);
    assert.equal(cache.getClaims('a', 3)?.n, 'a');
    assert.equal(cache.getClaims('b', 4), undefined);
    assert.equal(cache.size, 0, 'all entries of the old set are gone');
    assert.equal(cache.getClaims('a', 4), undefined);
  });
});
