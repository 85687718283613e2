import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cleanTrustedApis,
  trustedApisFor,
  trustedApisFromArgs,
  withTrustedApi,
} from '../../../../src/core/client/trusted-apis';

const A = 'https://a.example.com/mcp';
const B = 'https://b.example.com/mcp';
const API = 'api://11111111-0000-4000-8000-000000000000';

describe('per-server trust in api:// identifiers (issue 16 HIGH 2)', () => {
  it("a server gets only its own entry: B gets none of A's", () => {
    const trusted = { [A]: [API] };
    assert.deepEqual(trustedApisFor(trusted, A), [API]);
    assert.deepEqual(trustedApisFor(trusted, B), []);
    assert.deepEqual(trustedApisFor(undefined, A), []);
  });

  it('looks up by the canonical URL (case of scheme and host, default port), nothing looser', () => {
    const trusted = { 'HTTPS://A.example.com:443/mcp': [API] };
    assert.deepEqual(trustedApisFor(trusted, A), [API]);
    for (const other of [
      'https://a.example.com/mcp/',
      'https://a.example.com/MCP',
      'https://a.example.com:8443/mcp',
      'http://a.example.com/mcp',
      'https://a.example.com/mcp/other',
      'https://evil.a.example.com/mcp',
    ])
      assert.deepEqual(trustedApisFor(trusted, other), [], other);
  });

  it('cleans what settings hold: no non-URL keys, no non-api:// values, no arrays as maps', () => {
    assert.deepEqual(
      cleanTrustedApis({
        [A]: [API, 'https://graph.microsoft.com', 7, ` ${API} `],
        'not a url': [API],
        'file:///x': [API],
        [B]: 'api://x',
      }),
      { [A]: [API] },
    );
    assert.deepEqual(cleanTrustedApis([API]), {}, 'the old flat list is not a map: it grants nothing');
    assert.deepEqual(cleanTrustedApis(undefined), {});
  });

  it('adding trust for one server leaves the others as they were', () => {
    const next = withTrustedApi({ [A]: ['api://a'] }, B, API);
    assert.deepEqual(next, { [A]: ['api://a'], [B]: [API] });
  });

  it('--trust-api: a bare api:// binds to the server connected, <url>=api:// to the server named', () => {
    assert.deepEqual(trustedApisFromArgs([API], B), { [B]: [API] });
    assert.deepEqual(trustedApisFromArgs([`${A}=${API}`], B), { [A]: [API] });
    assert.deepEqual(trustedApisFor(trustedApisFromArgs([`${A}=${API}`], B), B), []);
    assert.deepEqual(trustedApisFromArgs(['graph'], B), {});
  });
});
