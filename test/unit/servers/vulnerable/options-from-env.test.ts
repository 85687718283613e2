import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vulnerableServerOptionsFromEnv } from '../../../../src/servers/vulnerable/options-from-env';

describe('vulnerableServerOptionsFromEnv', () => {
  it('defaults to loopback on 7481', () => {
    assert.deepEqual(vulnerableServerOptionsFromEnv({ REQUIRED_TOKEN: 't' }), {
      host: '127.0.0.1',
      port: 7481,
      requiredToken: 't',
      trustedJwksUri: undefined,
      allowedHosts: undefined,
      limits: undefined,
    });
  });
  it('names what is missing', () => {
    assert.throws(
      () => vulnerableServerOptionsFromEnv({}),
      (err: Error & { code?: string }) =>
        err.code === 'SETTING_MISSING' && /^REQUIRED_TOKEN is not set/.test(err.message),
    );
    assert.throws(
      () => vulnerableServerOptionsFromEnv({ REQUIRED_TOKEN: 't', HOST: '0.0.0.0' }),
      /ALLOWED_HOSTS is not set/,
    );
    assert.throws(
      () => vulnerableServerOptionsFromEnv({ REQUIRED_TOKEN: 't', PORT: 'x' }),
      /PORT is invalid/,
    );
    const o = vulnerableServerOptionsFromEnv({
      REQUIRED_TOKEN: 't',
      HOST: '0.0.0.0',
      PORT: '8080',
      ALLOWED_HOSTS: 'a.example, b.example',
    });
    assert.deepEqual(o.allowedHosts, ['a.example', 'b.example']);
  });
});
