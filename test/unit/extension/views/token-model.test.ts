import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { tokenViewModel } from '../../../../src/extension/views/token-model';

const NOW = 1_900_000_000;
const ISS = 'http://127.0.0.1:7480/t/v2.0';

// Signed at test time (never a committed token); the model only decodes it.
async function jwt(claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(privateKey);
}

describe('Token view model', () => {
  it('one entry per server, labelled from the Servers view, the selected one marked', async () => {
    const good = await jwt({ iss: ISS, aud: 'api', exp: NOW + 600, scp: 'access_as_user' });
    const model = tokenViewModel(
      [
        {
          serverId: 's1',
          accessToken: good,
          source: 'secure server sign-in',
          serverUrl: 'http://127.0.0.1:7482/mcp',
          expectations: { audiences: ['api'], issuers: [ISS], requiredScope: 'access_as_user' },
        },
        { serverId: 's2', accessToken: 'opaque-token', source: 'sign-in', expectations: {} },
      ],
      { selected: 's2', labelOf: (id) => (id === 's1' ? 'Secure server (OAuth 2.1)' : undefined), now: NOW },
    );
    assert.deepEqual(
      model.map((m) => [m.serverId, m.label, m.selected, m.body.kind]),
      [
        ['s1', 'Secure server (OAuth 2.1)', false, 'jwt'],
        ['s2', 's2', true, 'opaque'],
      ],
    );
    const body = model[0]!.body;
    assert.ok(body.kind === 'jwt');
    assert.equal(body.failed, 0, JSON.stringify(body.checks));
    assert.deepEqual(
      body.claims.map((c) => c.name),
      ['iss', 'aud', 'exp', 'scp'],
    );
    assert.equal(body.header.find((h) => h.name === 'alg')?.value, 'RS256');
  });

  it("checks each token against its own server's expectations", async () => {
    const forOther = await jwt({ iss: ISS, aud: 'other-api', exp: NOW - 10, scp: 'access_as_user' });
    const [m] = tokenViewModel(
      [
        {
          serverId: 's1',
          accessToken: forOther,
          source: 'x',
          expectations: { audiences: ['api'], issuers: [ISS], requiredScope: 'access_as_user' },
        },
      ],
      { labelOf: () => undefined, now: NOW },
    );
    assert.ok(m!.body.kind === 'jwt');
    const failed = m!.body.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    assert.deepEqual(failed.sort(), ['audience', 'expiry']);
    assert.equal(m!.body.failed, 2);
  });
});
