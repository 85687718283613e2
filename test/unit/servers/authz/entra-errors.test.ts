import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  codeInDescription,
  describeEntraError,
  ENTRA_ERRORS,
  entraErrorDescription,
  entraTokenErrorBody,
  newErrorStamp,
} from '../../../../src/servers/authz/entra-errors';
import { classifyProviderError } from '../../../../src/servers/authz/entra-responses';

const STAMP = {
  traceId: '11111111-1111-4111-8111-111111111111',
  correlationId: '22222222-2222-4222-8222-222222222222',
  timestamp: '2026-12-01 18:40:12Z',
};

describe('entra-errors (the AADSTS table)', () => {
  test('every code has an OAuth error and a one-line text that does not start with its own prefix', () => {
    for (const [code, rule] of Object.entries(ENTRA_ERRORS)) {
      assert.match(rule.error, /^[a-z_]+$/, code);
      const text = rule.text({ clientId: 'c', redirectUri: 'r', resource: 'x', tenant: 't', scope: 's' });
      assert.ok(text.length > 20 && !text.includes('\n') && !text.startsWith('AADSTS'), code);
    }
  });

  test('describeEntraError puts the code first, with the request’s values in the text', () => {
    assert.equal(
      describeEntraError(9010010),
      "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.",
    );
    assert.match(
      describeEntraError(700016, { clientId: 'abc', tenant: 'T' }),
      /^AADSTS700016: Application with identifier 'abc' was not found in the directory 'T'/,
    );
    assert.match(
      describeEntraError(50011, { redirectUri: 'https://x/cb', clientId: 'abc' }),
      /redirect URI 'https:\/\/x\/cb' .* application 'abc'/,
    );
    assert.match(describeEntraError(70011), /must include a 'scope'/);
    assert.match(describeEntraError(70011, { scope: 'bad' }), /The scope bad is not valid/);
  });

  test('request values are cut, so a huge parameter cannot blow up a description', () => {
    assert.ok(describeEntraError(700016, { clientId: 'x'.repeat(10_000) }).length < 1_000);
  });

  test('the description carries the trace, correlation and timestamp lines, CRLF-separated', () => {
    assert.equal(
      entraErrorDescription(70008, {}, STAMP),
      `${describeEntraError(70008)}\r\nTrace ID: ${STAMP.traceId}\r\nCorrelation ID: ${STAMP.correlationId}\r\nTimestamp: ${STAMP.timestamp}`,
    );
  });

  test('token error body: Entra’s fields, the code in error_codes and error_uri', () => {
    const body = entraTokenErrorBody(501481, {}, STAMP, {
      authorityOrigin: 'https://login.microsoftonline.com',
    });
    assert.deepEqual(Object.keys(body).sort(), [
      'correlation_id',
      'error',
      'error_codes',
      'error_description',
      'error_uri',
      'timestamp',
      'trace_id',
    ]);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [501481]);
    assert.equal(body.trace_id, STAMP.traceId);
    assert.equal(body.error_uri, 'https://login.microsoftonline.com/error?code=501481');
  });

  test('newErrorStamp: Entra’s timestamp format; a client-request-id GUID is the correlation id, anything else is not', () => {
    const s = newErrorStamp(new Date('2026-12-01T18:40:12.345Z'), 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE');
    assert.equal(s.timestamp, '2026-12-01 18:40:12Z');
    assert.equal(s.correlationId, 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE');
    assert.notEqual(newErrorStamp(new Date(), 'x\r\nInjected: 1').correlationId, 'x\r\nInjected: 1');
    assert.notEqual(s.traceId, newErrorStamp().traceId);
  });

  test('codeInDescription reads back only codes in the table', () => {
    assert.equal(codeInDescription('AADSTS9010010: mismatch'), 9010010);
    assert.equal(codeInDescription('AADSTS12345: unknown to the lab'), undefined);
    assert.equal(codeInDescription('invalid_grant'), undefined);
    assert.equal(codeInDescription(undefined), undefined);
  });
});

describe('classifyProviderError (oidc-provider error → AADSTS rule)', () => {
  const c = (error: string, more: Partial<Parameters<typeof classifyProviderError>[0]> = {}) =>
    classifyProviderError({ error, clientKnown: true, ...more });

  test('the lab’s own AADSTS descriptions keep their code', () => {
    assert.equal(c('invalid_target', { description: 'AADSTS500011: The resource principal …' }), 500011);
    assert.equal(c('consent_required', { description: 'AADSTS65001: …' }), 65001);
  });

  test('oidc-provider’s own errors map to the matching Entra rule', () => {
    assert.equal(c('invalid_client', { clientKnown: false }), 700016);
    assert.equal(c('invalid_client'), undefined, 'a known client failing authentication is not "not found"');
    assert.equal(c('invalid_redirect_uri'), 50011);
    assert.equal(c('invalid_scope'), 70011);
    assert.equal(c('invalid_grant', { detail: 'code_verifier does not match code_challenge' }), 501481);
    assert.equal(c('invalid_grant', { detail: 'grant request is invalid' }), 70008);
    assert.equal(c('authorization_pending'), 70016);
    assert.equal(c('expired_token'), 70020);
    assert.equal(c('invalid_request', { description: "missing required parameter 'code'" }), 900144);
  });

  test('errors the lab has no Entra rule for are left as oidc-provider answered', () => {
    assert.equal(c('invalid_request', { description: 'unsupported prompt value requested' }), undefined);
    assert.equal(c('unsupported_grant_type'), undefined);
    assert.equal(c('server_error'), undefined);
  });
});
