/**
 * refreshTokens / loginWithAuthorizationCode discover the issuer through the fetch they are given: a
 * caller that knows which server the person chose (the extension's provider, from a stored session's
 * resource) holds the issuer to that server's network policy, not to the issuer's own (loopback stand-in).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as client from 'openid-client';
import { isSherpaError } from '../../../../src/core/errors';
import { refreshTokens } from '../../../../src/core/grants/authorization-code';
import { createGuardedFetch, LOOPBACK_POLICY } from '../../../../src/core/net/guarded-fetch';
import {
  HOSTILE_TOKEN,
  startHostileServer,
  type HostileServer,
} from '../../../support/hostile/hostile-server';

describe('refreshTokens discovers through the given fetch', () => {
  let s: HostileServer;
  before(async () => {
    s = await startHostileServer({});
  });
  after(() => s.close());

  it("under a public server's policy, a loopback issuer is refused before any request", async () => {
    const publicServer = createGuardedFetch({ allowed: new Set(), origin: 'https://mcp.example.com' });
    await assert.rejects(
      refreshTokens('rt-1', { issuer: s.issuer, clientId: 'c', fetch: publicServer as client.CustomFetch }),
      (e) => isSherpaError(e, 'UNSAFE_URL'),
    );
    assert.deepEqual(s.requests, []);
  });

  it('under a policy that allows it, discovery and the refresh go through that fetch', async () => {
    const seen: string[] = [];
    const inner = createGuardedFetch(LOOPBACK_POLICY);
    const counting = ((input: string, init: RequestInit) => {
      seen.push(new URL(input).pathname);
      return inner(input, init);
    }) as client.CustomFetch;
    const tokens = await refreshTokens('rt-1', { issuer: s.issuer, clientId: 'c', fetch: counting });
    assert.equal(tokens.accessToken, HOSTILE_TOKEN);
    assert.equal(tokens.refreshToken, 'rt-1', 'the old refresh token is kept');
    assert.deepEqual(seen, ['/.well-known/oauth-authorization-server/as', '/as/token']);
  });
});
