import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSherpaError } from '../../../../src/core/errors';
import { decodeSherpaScopes } from '../../../../src/extension/auth/scope-encoding';
import { LAB_API_APP_ID_URI, LAB_TENANT_ID } from '../../../../src/servers/shared/lab-defaults';
import {
  confirmStepUpIfNeeded,
  planTokenRequest,
  type TokenRequestFacts,
} from '../../../../src/extension/connect/token-request-plan';

const ENTRA = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
const LAB = 'http://127.0.0.1:7480/lab-tenant/v2.0';
const OWN = 'http://127.0.0.1:7482/mcp/access_as_user';
const request = (o: Partial<TokenRequestFacts> = {}): TokenRequestFacts => ({
  serverUrl: 'http://127.0.0.1:7482/mcp',
  issuer: LAB,
  resource: 'http://127.0.0.1:7482/mcp',
  scopes: ['access_as_user'],
  reason: 'initial',
  ...o,
});

/** A consent fake that answers `answer` and records what it was asked. */
function consent(answer: boolean) {
  const asked: string[][] = [];
  return { asked, confirm: async (scopes: string[]) => (asked.push(scopes), answer) };
}

describe('step-up decision', () => {
  it('asks nothing for an initial sign-in or a retry', async () => {
    const c = consent(false);
    await confirmStepUpIfNeeded(request(), c.confirm);
    await confirmStepUpIfNeeded(request({ reason: 'retry' }), c.confirm);
    assert.deepEqual(c.asked, []);
  });

  it('asks the person with the scopes the 403 named, and goes on when they agree', async () => {
    const c = consent(true);
    await confirmStepUpIfNeeded(request({ reason: 'step-up', scopes: ['admin'] }), c.confirm);
    assert.deepEqual(c.asked, [['admin']]);
  });

  it('a declined step-up is SIGN_IN_CANCELLED', async () => {
    await assert.rejects(
      confirmStepUpIfNeeded(request({ reason: 'step-up' }), consent(false).confirm),
      (e) => (e as { code?: string }).code === 'SIGN_IN_CANCELLED',
    );
  });
});

describe('token request plan (which provider, which scopes)', () => {
  it('Entra: the microsoft provider, client and tenant pseudo-scopes first, no resource', () => {
    const plan = planTokenRequest(request({ issuer: ENTRA, scopes: ['api://x/access_as_user'] }), {
      clientId: 'cid',
      trustedApis: { 'http://127.0.0.1:7482/mcp': ['api://x'] },
    });
    assert.deepEqual(plan, {
      provider: 'microsoft',
      scopes: [
        'VSCODE_CLIENT_ID:cid',
        'VSCODE_TENANT:72f988bf-86f1-41af-91ab-2d7cd011db47',
        'api://x/access_as_user',
      ],
      tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      forceNew: false,
    });
  });

  it('Entra: the tenant setting wins over the issuer, and a retry asks for a new session', () => {
    const plan = planTokenRequest(request({ issuer: ENTRA, reason: 'retry', scopes: [OWN] }), {
      clientId: 'c',
      tenant: 'contoso.com',
    });
    assert.equal(plan.provider, 'microsoft');
    assert.ok(plan.scopes.includes('VSCODE_TENANT:contoso.com'));
    assert.equal(plan.provider === 'microsoft' && plan.forceNew, true);
  });

  it('Entra: a server-chosen VSCODE_ scope is refused (it would pick the client or tenant)', () => {
    assert.throws(
      () =>
        planTokenRequest(request({ issuer: ENTRA, scopes: ['vscode_client_id:evil'] }), { clientId: 'c' }),
      (e) => isSherpaError(e, 'UNTRUSTED_SCOPE'),
    );
  });

  it('any other issuer: sherpa-oauth, keyed by issuer, resource and client', () => {
    const plan = planTokenRequest(request({ previous: { accessToken: 'old' } }), { clientId: 'cid' });
    assert.equal(plan.provider, 'sherpa-oauth');
    assert.deepEqual(decodeSherpaScopes(plan.scopes), {
      issuer: LAB,
      resource: 'http://127.0.0.1:7482/mcp',
      clientId: 'cid',
      scopes: ['access_as_user'],
    });
    assert.equal('rejected' in plan, false, 'an initial request rejects no token');
  });

  it("Entra's public-cloud aliases use the microsoft provider; a national cloud does not (it cannot sign in there)", () => {
    const alias = 'https://login.microsoft.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
    assert.equal(
      planTokenRequest(request({ issuer: alias, scopes: [OWN] }), { clientId: 'cid' }).provider,
      'microsoft',
    );
    const usGov = 'https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
    assert.equal(planTokenRequest(request({ issuer: usGov }), { clientId: 'cid' }).provider, 'sherpa-oauth');
  });

  it('a retry after a 401 names the rejected token, so the provider refreshes it', () => {
    const plan = planTokenRequest(request({ reason: 'retry', previous: { accessToken: 'old' } }), {
      clientId: 'c',
    });
    assert.equal(plan.provider === 'sherpa-oauth' && plan.rejected, 'old');
  });

  it('an Entra-shaped issuer (the lab, a national cloud) gets no resource when an api:// identifier is trusted for the server (issue 17)', () => {
    const lab = `http://127.0.0.1:7480/${LAB_TENANT_ID}/v2.0`;
    const usGov = 'https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
    const trustedApis = { 'http://127.0.0.1:7482/mcp': [LAB_API_APP_ID_URI] };
    for (const issuer of [lab, usGov]) {
      const plan = planTokenRequest(request({ issuer }), { clientId: 'c', trustedApis });
      assert.equal(decodeSherpaScopes(plan.scopes).resource, undefined, issuer);
      // Without that trust the server's URL is the resource, as RFC 8707 and the MCP spec want.
      const plain = planTokenRequest(request({ issuer }), { clientId: 'c' });
      assert.equal(decodeSherpaScopes(plain.scopes).resource, 'http://127.0.0.1:7482/mcp', issuer);
    }
    // Trust for another server does not count; a non-Entra-shaped issuer always gets its resource.
    const other = { 'http://127.0.0.1:9999/mcp': [LAB_API_APP_ID_URI] };
    assert.ok(
      decodeSherpaScopes(
        planTokenRequest(request({ issuer: lab }), { clientId: 'c', trustedApis: other }).scopes,
      ).resource,
    );
    assert.ok(
      decodeSherpaScopes(planTokenRequest(request(), { clientId: 'c', trustedApis }).scopes).resource,
    );
  });
});

describe("token request plan: one server's token is never another's (issue 21)", () => {
  const a = 'http://127.0.0.1:7482/mcp';
  const b = 'http://127.0.0.1:9999/mcp';
  const rejectedOf = (plan: ReturnType<typeof planTokenRequest>) =>
    plan.provider === 'sherpa-oauth' ? plan.rejected : undefined;

  it("interleaved retries of servers A and B each name their own server's token", () => {
    const retryA = request({
      serverUrl: a,
      resource: a,
      reason: 'retry',
      previous: { accessToken: 'token-A' },
    });
    const retryB = request({
      serverUrl: b,
      resource: b,
      reason: 'retry',
      previous: { accessToken: 'token-B' },
    });
    assert.equal(rejectedOf(planTokenRequest(retryA, { clientId: 'c' })), 'token-A');
    assert.equal(rejectedOf(planTokenRequest(retryB, { clientId: 'c' })), 'token-B');
    assert.equal(rejectedOf(planTokenRequest(retryA, { clientId: 'c' })), 'token-A');
  });

  it("B's retry without a token of its own rejects nothing, right after A's retry rejected A's", () => {
    const retryA = request({
      serverUrl: a,
      resource: a,
      reason: 'retry',
      previous: { accessToken: 'token-A' },
    });
    assert.equal(rejectedOf(planTokenRequest(retryA, { clientId: 'c' })), 'token-A');
    // The engine gives no `previous` when B's token came from another issuer: nothing of A's stands in.
    const plan = planTokenRequest(request({ serverUrl: b, resource: b, reason: 'retry' }), { clientId: 'c' });
    assert.equal(plan.provider, 'sherpa-oauth');
    assert.equal('rejected' in plan, false);
  });

  it("B's session is keyed by B's resource, so A's stored session is never looked up for B", () => {
    const forA = planTokenRequest(request({ serverUrl: a, resource: a }), { clientId: 'c' });
    const forB = planTokenRequest(request({ serverUrl: b, resource: b }), { clientId: 'c' });
    assert.equal(decodeSherpaScopes(forA.scopes).resource, a);
    assert.equal(decodeSherpaScopes(forB.scopes).resource, b);
  });
});

describe('token request plan: the last gate before the microsoft provider (issue 16 HIGH 1 and 2)', () => {
  const missing = (e: unknown) => isSherpaError(e, 'RESOURCE_SCOPE_MISSING');
  for (const scopes of [[], ['openid', 'profile', 'email', 'offline_access'], ['offline_access']]) {
    it(`Entra with ${scopes.length ? scopes.join(' ') : 'no scope'}: refused (the provider would add User.Read: a Graph token)`, () => {
      assert.throws(() => planTokenRequest(request({ issuer: ENTRA, scopes }), { clientId: 'c' }), missing);
    });
  }

  it("Entra with the resource's own scope (and OpenID ones) goes to the microsoft provider", () => {
    const plan = planTokenRequest(request({ issuer: ENTRA, scopes: ['openid', OWN] }), { clientId: 'c' });
    assert.equal(plan.provider, 'microsoft');
  });

  it('Entra with no resource at all is refused: nothing to bind the scope to', () => {
    assert.throws(
      () =>
        planTokenRequest(request({ issuer: ENTRA, scopes: [OWN], resource: undefined }), { clientId: 'c' }),
      missing,
    );
  });

  it('an api:// identifier trusted for server A gives server B nothing', () => {
    const a = 'https://a.example.com/mcp';
    const b = 'https://b.example.com/mcp';
    const trustedApis = { [a]: ['api://11111111-0000-4000-8000-000000000000'] };
    const scopes = ['api://11111111-0000-4000-8000-000000000000/access_as_user'];
    const forB = request({ issuer: ENTRA, serverUrl: b, resource: b, scopes });
    assert.throws(() => planTokenRequest(forB, { clientId: 'c', trustedApis }), missing);
    const forA = request({ issuer: ENTRA, serverUrl: a, resource: a, scopes });
    assert.equal(planTokenRequest(forA, { clientId: 'c', trustedApis }).provider, 'microsoft');
  });

  it('sherpa-oauth (not Entra) keeps "omit the scope": the rule is Entra-only', () => {
    assert.equal(planTokenRequest(request({ scopes: [] }), { clientId: 'c' }).provider, 'sherpa-oauth');
  });
});
