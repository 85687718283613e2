import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SherpaError } from '../../../../src/core/errors';
import { deviceCodeFallbackReason } from '../../../../src/core/grants/sign-in-fallback';

test('device code is offered when the browser sign-in cannot return, and says why', () => {
  const timeout = new SherpaError('LOGIN_TIMEOUT', 'Timed out waiting for the browser sign-in');
  assert.match(deviceCodeFallbackReason(timeout)!, /never came back/);
  assert.match(
    deviceCodeFallbackReason(timeout, 'this VS Code window is remote (codespaces)')!,
    /remote \(codespaces\), so the browser reaches this machine only through forwarded addresses/,
  );
  const refused = new SherpaError(
    'AUTHORIZATION_DENIED',
    'Authorization server returned invalid_redirect_uri',
    {
      details: { error: 'invalid_redirect_uri' },
    },
  );
  assert.match(
    deviceCodeFallbackReason(refused)!,
    /refused the address the sign-in returns to \(invalid_redirect_uri\)/,
  );
});

test('not offered when it would not help: cancel, other denials, unreachable server, non-Sherpa errors', () => {
  assert.equal(deviceCodeFallbackReason(new SherpaError('LOGIN_ABORTED', 'x')), undefined, 'local cancel');
  for (const err of [
    new SherpaError('SIGN_IN_CANCELLED' as never, 'Sign-in was cancelled'),
    new SherpaError('AUTHORIZATION_DENIED', 'access_denied', { details: { error: 'access_denied' } }),
    new SherpaError('SERVER_UNREACHABLE', 'ECONNREFUSED'),
    new Error('LOGIN_TIMEOUT'),
    undefined,
  ]) {
    assert.equal(deviceCodeFallbackReason(err, 'remote'), undefined, String(err));
  }
});
