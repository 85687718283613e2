import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageText } from '../../../src/lab/lab-login';

test('pageText keeps what a person reads on an error page: no CSS, no script, no tags', () => {
  const html =
    '<!doctype html><html><head><title>Sign in</title><style>body{font-family:system-ui}</style>' +
    '<script>var x = "<b>";</script></head><body><h1>Sign-in failed</h1>\n<p>AADSTS9010010: The resource ' +
    'parameter provided in the request doesn&#39;t match</p></body></html>';
  assert.equal(
    pageText(html),
    "Sign-in failed AADSTS9010010: The resource parameter provided in the request doesn't match",
  );
});
