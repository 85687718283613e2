import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createLabClients,
  isLoopbackRedirectUri,
  labelSelfRegisteredName,
  UNVERIFIED_NAME_PREFIX,
} from '../../../../src/servers/authz/lab-clients';
import { AZURE_CLIENT_ID, VSCODE_CLIENT_ID } from '../../../../src/core/well-known-ids';

describe('lab-clients', () => {
  test('VS Code and Azure CLI are public native clients; only Azure CLI has the device grant', () => {
    const clients = createLabClients();
    const vscode = clients.find((c) => c.client_id === VSCODE_CLIENT_ID);
    const azcli = clients.find((c) => c.client_id === AZURE_CLIENT_ID);
    for (const c of [vscode, azcli]) {
      assert.equal(c?.token_endpoint_auth_method, 'none');
      assert.equal(c?.application_type, 'native', 'native: loopback redirect on any port (RFC 8252 §7.3)');
      assert.ok(c?.redirect_uris?.every(isLoopbackRedirectUri));
    }
    assert.ok(azcli?.grant_types?.includes('urn:ietf:params:oauth:grant-type:device_code'));
    assert.ok(!vscode?.grant_types?.includes('urn:ietf:params:oauth:grant-type:device_code'));
  });

  test('isLoopbackRedirectUri accepts http loopback on any port, nothing else', () => {
    for (const ok of ['http://127.0.0.1:1234/cb', 'http://localhost/', 'http://[::1]:9/x']) {
      assert.equal(isLoopbackRedirectUri(ok), true, ok);
    }
    for (const bad of [
      'https://evil.example/cb',
      'https://127.0.0.1/cb',
      'http://127.0.0.1.evil.example/cb',
      'http://localhost.evil.example/',
      'vscode://callback',
      'not a url',
      42,
    ]) {
      assert.equal(isLoopbackRedirectUri(bad), false, String(bad));
    }
  });
});

describe('labelSelfRegisteredName (issue 16)', () => {
  test('first-party names and look-alikes are labelled; ordinary names are kept', () => {
    for (const name of [
      'Visual Studio Code',
      'visual-studio code',
      'VS Code',
      'Microsoft Azure CLI',
      'my Azure helper',
      'ＶＳＣｏｄｅ',
      'Мicrosoft',
    ]) {
      assert.equal(labelSelfRegisteredName(name), `${UNVERIFIED_NAME_PREFIX}"${name}"`, name);
    }
    for (const name of ['my mcp client', 'dcr test', 'MCP SDK client (Sherpa lab test)', 'code-server']) {
      assert.equal(labelSelfRegisteredName(name), name);
    }
    const once = labelSelfRegisteredName('Visual Studio Code');
    assert.equal(labelSelfRegisteredName(once), once, 'not labelled twice');
  });
});
