import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSherpaError } from '../../../src/core/errors';
import { assertOpenableUrl } from '../../../src/core/url';

describe('assertOpenableUrl', () => {
  it('opens https and loopback http', () => {
    for (const u of [
      'https://login.microsoftonline.com/t/oauth2/v2.0/authorize?x=1',
      'http://127.0.0.1:7480/t/auth',
      'http://localhost:1/',
    ]) {
      assert.equal(assertOpenableUrl(u).href, new URL(u).href);
    }
  });
  it('keeps shell metacharacters as URL characters (the opener gets one argument, no shell)', () => {
    assert.match(assertOpenableUrl('https://as.example.com/a/$(touch$IFS/tmp/x)|y;z').href, /\$\(touch\$IFS/);
  });
  it('refuses every other scheme, credentials, plain http off loopback and control characters', () => {
    for (const u of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'vscode://vscode.git/clone',
      'command:workbench.action.terminal.new',
      'data:text/html,<script>',
      'http://example.com/authorize',
      'https://user:pw@example.com/',
      'https://example.com/\u001b]0;x\u0007',
      'https://example.com/ spaced',
      'not a url',
    ]) {
      assert.throws(
        () => assertOpenableUrl(u),
        (e) => isSherpaError(e, 'UNSAFE_URL'),
        u,
      );
    }
  });
});
