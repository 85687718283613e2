import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackHost } from '../../../../src/core/net/loopback';
import { isLoopbackRedirectUri } from '../../../../src/servers/authz/lab-clients';
import { isSecureOrLoopback } from '../../../../src/core/url';

test('loopback: localhost, ::1 and every address in 127.0.0.0/8 (127.0.0.2 included)', () => {
  for (const yes of [
    '127.0.0.1',
    '127.0.0.2',
    '127.1.2.3',
    '127.255.255.254',
    'localhost',
    'LOCALHOST',
    '::1',
    '[::1]',
  ])
    assert.equal(isLoopbackHost(yes), true, yes);
});

test('not loopback: other addresses, look-alike names, odd spellings (decided without DNS)', () => {
  for (const no of [
    '10.0.0.1',
    '0.0.0.0',
    '128.0.0.1',
    '127.999.0.1',
    '127.0.0.1.nip.io',
    'localhost.evil.example',
    'login.microsoftonline.com',
    '::ffff:127.0.0.1',
    '::ffff:8.8.8.8',
    '',
  ])
    assert.equal(isLoopbackHost(no), false, no);
});

test('the callers agree: http is allowed, and a lab redirect URI accepted, at 127.0.0.2 too', () => {
  assert.equal(isSecureOrLoopback('http://127.0.0.2:7480/'), true);
  assert.equal(isSecureOrLoopback('http://10.0.0.2:7480/'), false);
  assert.equal(isLoopbackRedirectUri('http://127.0.0.2:33418/callback'), true);
  assert.equal(isLoopbackRedirectUri('http://[::1]:33418/callback'), true);
  assert.equal(isLoopbackRedirectUri('https://127.0.0.1:33418/callback'), false, 'http only (RFC 8252 §7.3)');
  assert.equal(isLoopbackRedirectUri('http://0.0.0.0:33418/callback'), false);
});
