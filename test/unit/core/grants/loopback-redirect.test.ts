import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  registeredLoopbackPort,
  reserveLoopbackPort,
  startLoopbackRedirect,
  startLoopbackRedirectOn,
} from '../../../../src/core/grants/loopback-redirect';
import { isSherpaError } from '../../../../src/core/errors';

test('resolves with the callback URL when state matches, serves a friendly page, then closes', async () => {
  const r = await startLoopbackRedirect({ expectedState: 's1' });
  assert.match(r.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  const other = await fetch(new URL('/favicon.ico', r.redirectUri));
  assert.equal(other.status, 404); // stray requests do not consume the one shot
  const res = await fetch(`${r.redirectUri}?code=abc&state=s1&iss=x`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /close this tab/);
  const url = await r.callback;
  assert.equal(url.searchParams.get('code'), 'abc');
  await r.close();
  await assert.rejects(fetch(r.redirectUri)); // port closed
});

test('a response with another state is rejected with STATE_MISMATCH', async () => {
  const r = await startLoopbackRedirect({ expectedState: 'good' });
  const res = await fetch(`${r.redirectUri}?code=abc&state=evil`);
  assert.equal(res.status, 400);
  await assert.rejects(r.callback, (e) => isSherpaError(e, 'STATE_MISMATCH'));
  await r.close();
});

test('an error response becomes AUTHORIZATION_DENIED with the server error', async () => {
  const r = await startLoopbackRedirect({ expectedState: 's' });
  await (await fetch(`${r.redirectUri}?error=invalid_target&error_description=AADSTS9010010&state=s`)).text();
  await assert.rejects(
    r.callback,
    (e) => isSherpaError(e, 'AUTHORIZATION_DENIED') && /AADSTS9010010/.test(e.message),
  );
  await r.close();
});

test('times out with LOGIN_TIMEOUT and aborts with LOGIN_ABORTED', async () => {
  const t = await startLoopbackRedirect({ expectedState: 's', timeoutMs: 50 });
  await assert.rejects(t.callback, (e) => isSherpaError(e, 'LOGIN_TIMEOUT'));
  await t.close();
  const ac = new AbortController();
  const a = await startLoopbackRedirect({ expectedState: 's', signal: ac.signal });
  ac.abort();
  await assert.rejects(a.callback, (e) => isSherpaError(e, 'LOGIN_ABORTED'));
  await a.close();
});

test('on the port a registration named when it is free, else on another (RFC 8252 §7.3)', async () => {
  const port = await reserveLoopbackPort();
  const a = await startLoopbackRedirectOn(port, { expectedState: 'a' });
  assert.equal(a.redirectUri, `http://127.0.0.1:${port}/callback`);
  assert.equal(registeredLoopbackPort([a.redirectUri, 'http://127.0.0.1/callback']), port);
  const b = await startLoopbackRedirectOn(port, { expectedState: 'b' }); // taken by `a` now
  assert.notEqual(new URL(b.redirectUri).port, String(port));
  await Promise.all([a.close(), b.close()]);
  assert.equal(
    registeredLoopbackPort(['http://127.0.0.1/callback', 'http://localhost:5/callback']),
    undefined,
  );
});
