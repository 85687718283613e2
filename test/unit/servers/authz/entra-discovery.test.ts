import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ENTRA_TOKEN_ENDPOINT_AUTH_METHODS,
  toEntraDiscovery,
} from '../../../../src/servers/authz/entra-discovery';

const A = 'https://login.microsoftonline.com/t/v2.0';

describe("Entra mode's discovery document: Entra's v2.0 field set", () => {
  it('drops what oidc-provider advertises and Entra does not, and lists Entra’s auth methods', () => {
    const body: Record<string, unknown> = {
      issuer: A,
      authorization_endpoint: `${A}/authorize`,
      token_endpoint: `${A}/token`,
      jwks_uri: 'https://login.microsoftonline.com/t/discovery/v2.0/keys',
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
      grant_types_supported: ['authorization_code'],
      revocation_endpoint: `${A}/revoke`,
      authorization_response_iss_parameter_supported: true,
      claims_parameter_supported: false,
      response_modes_supported: ['form_post', 'query'],
      cloud_instance_name: 'microsoftonline.com',
    };
    toEntraDiscovery(body);
    assert.equal(body.code_challenge_methods_supported, undefined);
    assert.equal(body.grant_types_supported, undefined);
    assert.equal(body.revocation_endpoint, undefined);
    assert.equal(body.authorization_response_iss_parameter_supported, undefined);
    assert.equal(body.claims_parameter_supported, undefined);
    assert.deepEqual(body.token_endpoint_auth_methods_supported, [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ]);
    assert.ok(!ENTRA_TOKEN_ENDPOINT_AUTH_METHODS.includes('none' as never));
    assert.equal(body.issuer, A);
    assert.equal(body.token_endpoint, `${A}/token`);
    assert.deepEqual(body.response_modes_supported, ['form_post', 'query']);
    assert.equal(body.cloud_instance_name, 'microsoftonline.com');
  });
});
