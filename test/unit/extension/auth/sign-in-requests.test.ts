import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Configuration } from 'openid-client';
import { SherpaError } from '../../../../src/core/errors';
import { encodeSherpaScopes } from '../../../../src/extension/auth/scope-encoding';
import { SignInRequests, signInKey } from '../../../../src/extension/auth/sign-in-requests';

const ISSUER = 'http://127.0.0.1:7480/lab-tenant/v2.0';
const A = 'http://127.0.0.1:7482/mcp';
const B = 'http://127.0.0.1:9999/mcp';
const scopesFor = (resource: string, clientId = 'client-1') =>
  encodeSherpaScopes({ issuer: ISSUER, resource, clientId, scopes: ['access_as_user'] });
const configFor = (clientId = 'client-1') => new Configuration({ issuer: ISSUER }, clientId);

describe('sign-in requests: the broker ↔ provider channel (issue 21)', () => {
  it('two concurrent connects to servers A and B: each createSession gets its own configuration, in either order', () => {
    const signIns = new SignInRequests();
    const configA = configFor();
    const configB = configFor();
    const a = signIns.begin(scopesFor(A), { config: configA, redirectPort: 1111 });
    const b = signIns.begin(scopesFor(B), { config: configB, redirectPort: 2222 });
    // VS Code may call createSession for B first.
    const claimedB = signIns.claim(scopesFor(B));
    const claimedA = signIns.claim(scopesFor(A));
    assert.equal(claimedB?.offer?.config, configB);
    assert.equal(claimedB?.offer?.redirectPort, 2222);
    assert.equal(claimedA?.offer?.config, configA);
    assert.equal(claimedA?.offer?.redirectPort, 1111);
    a.end();
    b.end();
    assert.equal(signIns.size, 0);
  });

  it("B's failure reaches B's broker only; A, still signing in, sees none", () => {
    const signIns = new SignInRequests();
    const a = signIns.begin(scopesFor(A), { config: configFor() });
    const b = signIns.begin(scopesFor(B), { config: configFor() });
    const claimedA = signIns.claim(scopesFor(A));
    const claimedB = signIns.claim(scopesFor(B));
    claimedB!.fail(new SherpaError('LOGIN_TIMEOUT', 'B timed out'));
    assert.equal(b.failure()?.code, 'LOGIN_TIMEOUT');
    assert.equal(a.failure(), undefined);
    claimedA!.fail(new SherpaError('LOGIN_ABORTED', 'A cancelled'));
    assert.equal(a.failure()?.code, 'LOGIN_ABORTED');
    assert.equal(b.failure()?.code, 'LOGIN_TIMEOUT');
  });

  it('a request is claimed once; an ended one is gone (no configuration is left for a later sign-in)', () => {
    const signIns = new SignInRequests();
    const a = signIns.begin(scopesFor(A), { config: configFor() });
    assert.ok(signIns.claim(scopesFor(A)));
    assert.equal(signIns.claim(scopesFor(A)), undefined, 'claimed already');
    a.end();
    assert.equal(signIns.size, 0);
    const late = signIns.begin(scopesFor(A));
    late.end();
    assert.equal(signIns.claim(scopesFor(A)), undefined, 'ended before createSession ran');
  });

  it('a sign-in VS Code started itself (Accounts menu) claims nothing', () => {
    const signIns = new SignInRequests();
    const a = signIns.begin(scopesFor(A), { config: configFor() });
    assert.equal(signIns.claim(scopesFor(B)), undefined);
    a.end();
  });

  it('a configuration for another client than the scopes name is not offered (it would sign in as that client)', () => {
    const signIns = new SignInRequests();
    const a = signIns.begin(scopesFor(A, 'client-1'), { config: configFor('someone-else') });
    const claimed = signIns.claim(scopesFor(A, 'client-1'));
    assert.ok(claimed, 'the request is open');
    assert.equal(claimed.offer, undefined);
    a.end();
  });

  it('the key is what getSession carries: issuer, resource and client, not the real scopes', () => {
    const withMore = encodeSherpaScopes({
      issuer: ISSUER,
      resource: A,
      clientId: 'client-1',
      scopes: ['admin'],
    });
    assert.equal(signInKey(withMore), signInKey(scopesFor(A)));
    assert.notEqual(signInKey(scopesFor(B)), signInKey(scopesFor(A)));
    assert.notEqual(signInKey(scopesFor(A, 'client-2')), signInKey(scopesFor(A)));
  });
});
