import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverLimitsFromEnv } from '../../../../src/servers/shared/limits-from-env';

describe('serverLimitsFromEnv', () => {
  it('leaves the defaults alone when nothing is set', () => {
    assert.equal(serverLimitsFromEnv({}), undefined);
  });
  it('reads each limit', () => {
    assert.deepEqual(
      serverLimitsFromEnv({
        SHERPA_HEADERS_TIMEOUT_MS: '500',
        SHERPA_REQUEST_TIMEOUT_MS: '2000',
        SHERPA_KEEP_ALIVE_TIMEOUT_MS: '100',
        SHERPA_MAX_CONNECTIONS: ' 3 ',
      }),
      { headersTimeoutMs: 500, requestTimeoutMs: 2000, keepAliveTimeoutMs: 100, maxConnections: 3 },
    );
  });
  it('names the variable that is not a positive whole number', () => {
    for (const bad of ['0', '-1', '1.5', 'ten'])
      assert.throws(
        () => serverLimitsFromEnv({ SHERPA_MAX_CONNECTIONS: bad }),
        (err: Error & { code?: string }) =>
          err.code === 'SETTING_INVALID' && /^SHERPA_MAX_CONNECTIONS is invalid/.test(err.message),
        bad,
      );
  });
});
