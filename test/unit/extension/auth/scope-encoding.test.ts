import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSherpaError } from '../../../../src/core/errors';
import { decodeSherpaScopes, encodeSherpaScopes } from '../../../../src/extension/auth/scope-encoding';

describe('Sherpa pseudo-scopes', () => {
  it('round-trips issuer, resource, client id and real scopes', () => {
    const request = {
      issuer: 'http://127.0.0.1:7480/t/v2.0',
      resource: 'http://127.0.0.1:7482/mcp',
      clientId: 'c',
      scopes: ['a', 'b'],
    };
    assert.deepEqual(decodeSherpaScopes(encodeSherpaScopes(request)), request);
  });

  it('refuses a second SHERPA_RESOURCE/SHERPA_ISSUER instead of letting the later one win (issue 12)', () => {
    const list = [
      ...encodeSherpaScopes({ issuer: 'http://evil/as', resource: 'http://evil/mcp', scopes: [] }),
      'SHERPA_RESOURCE:http://127.0.0.1:7482/mcp',
    ];
    assert.throws(
      () => decodeSherpaScopes(list),
      (e) => isSherpaError(e, 'UNTRUSTED_SCOPE'),
    );
    assert.throws(
      () => decodeSherpaScopes(['SHERPA_ISSUER:a', 'SHERPA_ISSUER:b']),
      (e) => isSherpaError(e, 'UNTRUSTED_SCOPE'),
    );
  });

  it('refuses unknown pseudo-scopes and real scopes that look like pseudo-scopes', () => {
    assert.throws(
      () => decodeSherpaScopes(['VSCODE_TENANT:common']),
      (e) => isSherpaError(e, 'UNTRUSTED_SCOPE'),
    );
    assert.throws(
      () => encodeSherpaScopes({ issuer: 'i', scopes: ['sherpa_resource:http://victim/mcp'] }),
      (e) => isSherpaError(e, 'UNTRUSTED_SCOPE'),
    );
  });
});
