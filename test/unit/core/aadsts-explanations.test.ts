import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SherpaError } from '../../../src/core/errors';
import { explainEntraError, findAadstsCode, toEntraError } from '../../../src/core/aadsts-explanations';

const SERVER = 'https://mcp.contoso.com/mcp';
// Entra's token endpoint error_description: the code line, then trace lines separated by \r\n.
const DESCRIPTION_9010010 =
  "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.\r\n" +
  'Trace ID: 0b7a…\r\nCorrelation ID: 5f3c…\r\nTimestamp: 2026-12-01 18:00:00Z';

describe('findAadstsCode', () => {
  test('finds the code in an error_description, a provider message and a query string', () => {
    assert.equal(findAadstsCode(DESCRIPTION_9010010), 'AADSTS9010010');
    assert.equal(findAadstsCode('invalid_resource: AADSTS500011: The resource principal…'), 'AADSTS500011');
    assert.equal(findAadstsCode('error_description=AADSTS65001%3A+The+user'), 'AADSTS65001');
  });

  test('no code: undefined (an OAuth error alone, a number glued to other text)', () => {
    assert.equal(findAadstsCode('invalid_grant: code expired'), undefined);
    assert.equal(findAadstsCode('XAADSTS9010010'), undefined);
  });
});

describe('explainEntraError', () => {
  test('AADSTS9010010 names both sides of the mismatch and the identifier-URI fix', () => {
    const e = explainEntraError(DESCRIPTION_9010010, {
      resource: SERVER,
      scopes: ['api://1111-2222/access_as_user'],
    });
    assert.ok(e);
    assert.equal(e.code, 'AADSTS9010010');
    // Only Entra's first line is quoted: trace ids stay out of the notification.
    assert.equal(
      e.said,
      "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.",
    );
    assert.match(e.meaning, new RegExp(`resource \\(${SERVER.replace(/[./]/g, '\\$&')}\\)`));
    assert.match(e.meaning, /\(api:\/\/1111-2222\)/);
    assert.match(
      e.fix,
      /az ad app update --id <API app id> --identifier-uris api:\/\/<API app id> https:\/\/mcp\.contoso\.com\/mcp/,
    );
    assert.match(e.fix, /identifierUris: \['api:\/\/<API app id>', 'https:\/\/mcp\.contoso\.com\/mcp'\]/);
    assert.match(e.fix, /scopes_supported \["https:\/\/mcp\.contoso\.com\/mcp\/access_as_user"\]/);
  });

  test('AADSTS500011 names the unknown identifier URI (from the scope) and the tenant', () => {
    const e = explainEntraError('AADSTS500011: The resource principal named https://x/mcp was not found', {
      resource: 'https://x/mcp',
      scopes: ['https://x/mcp/access_as_user', 'openid'],
      tenant: 'contoso.onmicrosoft.com',
    });
    assert.ok(e);
    assert.match(e.meaning, /tenant contoso\.onmicrosoft\.com has the identifier URI https:\/\/x\/mcp:/);
    assert.match(e.fix, /--identifier-uris api:\/\/<API app id> https:\/\/x\/mcp /);
    assert.match(e.fix, /sherpa\.entra\.tenant/);
  });

  test('consent, redirect URI and unknown client codes name the client id', () => {
    const client = 'aebc6443-996d-45c2-90f0-388ff96faa56';
    for (const code of ['AADSTS65001', 'AADSTS50011', 'AADSTS700016']) {
      const e = explainEntraError(`${code}: …`, { clientId: client });
      assert.ok(e, code);
      assert.match(`${e.meaning} ${e.fix}`, new RegExp(client), code);
    }
  });

  test('without context the fix uses placeholders, never "undefined"', () => {
    const e = explainEntraError('AADSTS9010010: …');
    assert.ok(e);
    assert.doesNotMatch(`${e.meaning} ${e.fix}`, /undefined/);
    assert.match(e.fix, /<server URL>/);
  });

  test('an unknown AADSTS code or no code: undefined', () => {
    assert.equal(explainEntraError('AADSTS12345678: something new'), undefined);
    assert.equal(explainEntraError('access_denied'), undefined);
  });

  test("control characters in Entra's text are made visible", () => {
    const e = explainEntraError('AADSTS70011: bad\u001b[31m scope');
    assert.equal(e?.said, 'AADSTS70011: bad?[31m scope');
  });
});

describe('toEntraError', () => {
  test('wraps an error whose message carries a known code, keeping the original as cause', () => {
    const original = new Error(`ServerError: invalid_target: ${DESCRIPTION_9010010}`);
    const err = toEntraError(original, { resource: SERVER, scopes: ['api://a/access_as_user'] });
    assert.ok(err instanceof SherpaError);
    assert.equal(err.code, 'ENTRA_REFUSED');
    assert.equal(err.cause, original);
    assert.deepEqual(err.details, { aadsts: 'AADSTS9010010' });
    assert.match(err.message, /^Entra ID refused the sign-in: AADSTS9010010: The resource parameter/);
    assert.match(err.hint ?? '', /az ad app update/);
  });

  test("reads a cause's message and a SherpaError's error_description detail", () => {
    const inner = new Error('AADSTS65001: The user or administrator has not consented');
    assert.equal(toEntraError(new Error('sign-in failed', { cause: inner }))?.details?.aadsts, 'AADSTS65001');
    const withDetails = new SherpaError(
      'AUTHORIZATION_DENIED',
      'Authorization server returned invalid_resource',
      {
        details: { error: 'invalid_resource', description: 'AADSTS500011: The resource principal named x' },
      },
    );
    assert.equal(toEntraError(withDetails)?.details?.aadsts, 'AADSTS500011');
  });

  test('anything else: undefined, so the caller rethrows it unchanged', () => {
    assert.equal(toEntraError(new Error('fetch failed')), undefined);
    assert.equal(toEntraError('AADSTS9010010 as a string is not an Error'), undefined);
  });
});

test("only Entra's first sentence is quoted (the advice after it and the trace lines are not)", () => {
  const e = explainEntraError(
    'AADSTS500011: The resource principal named https://x/mcp was not found in the tenant named t. This can happen if the application has not been installed.\r\nTrace ID: 1',
  );
  assert.equal(
    e?.said,
    'AADSTS500011: The resource principal named https://x/mcp was not found in the tenant named t.',
  );
});
