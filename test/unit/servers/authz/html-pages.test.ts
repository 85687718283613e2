import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, renderErrorPage, renderLoginPage } from '../../../../src/servers/authz/html-pages';
import { LAB_USERS } from '../../../../src/servers/shared/lab-defaults';

describe('html-pages', () => {
  test('login page: the documented form fields, the lab accounts, and an escaped error', () => {
    const html = renderLoginPage({
      action: '/t/v2.0/interaction/abc/login',
      clientName: '<script>x</script>',
      username: '"><img>',
      error: 'Your username or password is incorrect.',
    });
    assert.match(html, /<form method="post" action="\/t\/v2\.0\/interaction\/abc\/login">/);
    assert.match(html, /name="username"/);
    assert.match(html, /type="password" name="password"/);
    for (const u of LAB_USERS) {
      assert.ok(html.includes(u.username) && html.includes(u.password), `shows ${u.username}`);
    }
    assert.match(html, /data-code="invalid_credentials"/);
    assert.ok(!html.includes('<script>x'), 'client name escaped');
    assert.ok(!html.includes('"><img>'), 'echoed username escaped');
  });

  test('escapeHtml covers markup and both quote kinds; error page keeps the code', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;',
    );
    assert.match(renderErrorPage('invalid_target', 'AADSTS9010010: mismatch'), /AADSTS9010010/);
  });
});
