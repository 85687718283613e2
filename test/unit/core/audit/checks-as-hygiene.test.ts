import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redirectsTo } from '../../../../src/core/audit/checks-as-hygiene';

describe('authorization server hygiene: what counts as a redirect to the unregistered redirect_uri', () => {
  const uri = 'http://127.0.0.1:40123/sherpa-audit-unregistered';
  it('the same origin and path, whatever query the server adds', () => {
    assert.equal(redirectsTo(`${uri}?error=invalid_request&state=x`, uri), true);
    assert.equal(redirectsTo(uri, uri), true);
  });
  it('another port, path or host is not it (the server’s own login page, an IdP)', () => {
    assert.equal(redirectsTo('http://127.0.0.1:40124/sherpa-audit-unregistered', uri), false);
    assert.equal(redirectsTo('http://127.0.0.1:40123/login', uri), false);
    assert.equal(redirectsTo('https://login.example.com/u/login', uri), false);
    assert.equal(redirectsTo('not a url', uri), false);
  });
});
