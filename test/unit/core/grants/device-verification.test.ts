import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verificationHostWarning } from '../../../../src/core/grants/device-verification';

const ENTRA = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';

test("no warning when the code page is on the issuer's host", () => {
  assert.equal(
    verificationHostWarning('https://idp.example.com/t', 'https://idp.example.com/device'),
    undefined,
  );
  assert.equal(
    verificationHostWarning('http://127.0.0.1:7480/t/v2.0', 'http://127.0.0.1:7480/device'),
    undefined,
  );
});

test("Entra's own device pages (microsoft.com/devicelogin) count as the issuer's", () => {
  assert.equal(verificationHostWarning(ENTRA, 'https://microsoft.com/devicelogin'), undefined);
  assert.equal(verificationHostWarning(ENTRA, 'https://login.microsoft.com/device'), undefined);
});

test('a code page on another host is a device-code phishing warning naming both hosts (issue 16 LOW)', () => {
  const w = verificationHostWarning('https://idp.example.com/t', 'https://idp-login.example.net/device');
  assert.match(w ?? '', /idp-login\.example\.net.*idp\.example\.com.*phishing/);
  assert.ok(verificationHostWarning(ENTRA, 'https://microsoft.com.evil.example/devicelogin'));
  // Microsoft's hosts are Entra's only: another issuer naming them is still another host.
  assert.ok(verificationHostWarning('https://idp.example.com/t', 'https://microsoft.com/devicelogin'));
});
