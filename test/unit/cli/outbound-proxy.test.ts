import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyFromEnvironment } from '../../../src/cli/outbound-proxy';

test('proxyFromEnvironment: https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY in that order; empty is unset', () => {
  assert.equal(proxyFromEnvironment({}), undefined);
  assert.equal(proxyFromEnvironment({ HTTPS_PROXY: '' }), undefined);
  assert.equal(proxyFromEnvironment({ HTTP_PROXY: 'http://h:1' }), 'http://h:1');
  assert.equal(proxyFromEnvironment({ HTTP_PROXY: 'http://h:1', HTTPS_PROXY: 'http://s:2' }), 'http://s:2');
  assert.equal(
    proxyFromEnvironment({ HTTPS_PROXY: 'http://s:2', https_proxy: 'http://lower:3' }),
    'http://lower:3',
  );
});
