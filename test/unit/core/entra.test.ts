import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEntraIssuer, isEntraPublicCloudIssuer, tenantFromIssuer } from '../../../src/core/entra';

describe('entra', () => {
  it('recognises https issuers on Entra authority hosts only', () => {
    assert.equal(
      isEntraIssuer('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0'),
      true,
    );
    for (const host of [
      'login.microsoft.com',
      'login.windows.net',
      'login.microsoftonline.us',
      'login.partner.microsoftonline.cn',
      'login.chinacloudapi.cn',
      'LOGIN.MicrosoftOnline.com',
      'login.microsoftonline.com.',
      'login.microsoftonline.com:443',
    ]) {
      assert.equal(isEntraIssuer(`https://${host}/common/v2.0`), true, host);
    }
    assert.equal(isEntraIssuer('http://login.microsoftonline.com/t/v2.0'), false);
    assert.equal(isEntraIssuer('https://login.microsoftonline.com:8443/t/v2.0'), false);
    assert.equal(isEntraIssuer('https://login.microsoftonline.com.evil.example/t/v2.0'), false);
    assert.equal(isEntraIssuer('https://evil-login.microsoftonline.us/t/v2.0'), false);
    assert.equal(isEntraIssuer('https://microsoftonline.com/t/v2.0'), false);
    assert.equal(isEntraIssuer('not a url'), false);
  });
  it("tells the public cloud (VS Code's microsoft provider) from the national clouds", () => {
    for (const host of ['login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net']) {
      assert.equal(isEntraPublicCloudIssuer(`https://${host}/common/v2.0`), true, host);
    }
    for (const host of ['login.microsoftonline.us', 'login.partner.microsoftonline.cn', 'example.com']) {
      assert.equal(isEntraPublicCloudIssuer(`https://${host}/common/v2.0`), false, host);
    }
  });
  it('takes the tenant only when it is a GUID, a domain or an alias', () => {
    const base = 'https://login.microsoftonline.com';
    assert.equal(
      tenantFromIssuer(`${base}/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0`),
      '72f988bf-86f1-41af-91ab-2d7cd011db47',
    );
    assert.equal(tenantFromIssuer(`${base}/contoso.onmicrosoft.com/v2.0`), 'contoso.onmicrosoft.com');
    assert.equal(tenantFromIssuer(`${base}/organizations/v2.0`), 'organizations');
    // A segment that would smuggle a second pseudo-scope or other text into VSCODE_TENANT:… is dropped.
    assert.equal(tenantFromIssuer(`${base}/x%20VSCODE_CLIENT_ID:evil/v2.0`), undefined);
    assert.equal(tenantFromIssuer(`${base}/`), undefined);
  });
});
