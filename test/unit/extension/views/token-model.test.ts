import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { claimRow, signedInAs, tokenViewModel } from '../../../../src/extension/views/token-model';
import { describeClaim } from '../../../../src/core/token/token-inspection';

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

  it('the first row says who signed in and with which app roles', async () => {
    const alice = await jwt({
      iss: ISS,
      aud: 'api',
      exp: NOW + 600,
      name: 'Alice Admin',
      preferred_username: 'alice@sherpa-lab.test',
      roles: ['Sherpa.Admin'],
    });
    const [m] = tokenViewModel([{ serverId: 's1', accessToken: alice, source: 'x', expectations: {} }], {
      labelOf: () => undefined,
      now: NOW,
    });
    assert.ok(m!.body.kind === 'jwt');
    assert.equal(m!.body.signedInAs.label, 'Signed in as alice@sherpa-lab.test — Sherpa.Admin');
    assert.equal(m!.body.signedInAs.description, 'Alice Admin');
    assert.match(m!.body.signedInAs.tooltip, /App roles \(roles\): Sherpa\.Admin/);
  });

  it('a user without roles, a token with only a name, and an app token that names no user', () => {
    assert.equal(
      signedInAs({ preferred_username: 'bob@sherpa-lab.test', name: 'Bob Builder' }).label,
      'Signed in as bob@sherpa-lab.test — no app roles',
    );
    const nameOnly = signedInAs({ name: 'Carol' });
    assert.equal(nameOnly.label, 'Signed in as Carol — no app roles');
    assert.equal(nameOnly.description, undefined, 'the name is not repeated beside itself');
    const app = signedInAs({ sub: 'x', azp: 'client-1', roles: ['Tasks.Read', 42] });
    assert.equal(app.label, 'No user named in this token — Tasks.Read');
    assert.equal(app.description, 'client client-1');
  });

  it('claim text from the token is printable only (no controls, no bidi overrides)', () => {
    const who = signedInAs({ preferred_username: 'eve\u001b]0;owned\u0007\u202e', roles: ['R\nX'] });
    // Matching control characters is the point of this assertion.
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(who.label + who.tooltip, /[\u0000-\u0008\u000b-\u001f\u202e]/);
    assert.match(who.label, /^Signed in as eve\?\]0;owned\?\? — R ⏎ X$/);
  });

  it('long claim values are whole in the tooltip (lists one item a line) and raw for Copy Value', () => {
    const scopes = Array.from({ length: 8 }, (_, i) => `https://api.example.test/scope.number.${i}`);
    const scp = claimRow(describeClaim('scp', scopes.join(' '), NOW), scopes.join(' '));
    assert.equal(scp.raw, scopes.join(' '));
    assert.deepEqual(
      scp.tooltip.split('\n').slice(1),
      scopes.map((s) => `  ${s}`),
    );
    const aud = claimRow(describeClaim('aud', ['a', 'b'], NOW), ['a', 'b']);
    assert.equal(aud.raw, '["a","b"]');
    assert.equal(aud.tooltip, 'Audience (aud):\n  a\n  b');
    const exp = claimRow(describeClaim('exp', NOW + 60, NOW), NOW + 60);
    assert.equal(exp.raw, String(NOW + 60), 'the number the token carries, not the local time');
    assert.match(exp.tooltip, /^Expires \(exp\): \d{4}-/);
  });
});
