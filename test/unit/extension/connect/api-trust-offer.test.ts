import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SherpaError } from '../../../../src/core/errors';
import { assertServerScopes } from '../../../../src/core/client/scope-policy';
import { apiTrustOfferFor } from '../../../../src/extension/connect/api-trust-offer';

const B = 'https://B.example.com/mcp';
const refusal = (scope: string) => {
  try {
    assertServerScopes([scope], { source: 'challenge', resource: B, entra: true });
  } catch (e) {
    return e;
  }
  throw new Error('not refused');
};

describe('the "trust this api:// identifier for this server" offer (issue 16 HIGH 2)', () => {
  it('offers the refused identifier for the server that asked, by its canonical URL', () => {
    assert.deepEqual(apiTrustOfferFor(refusal('api://x/access_as_user'), B, []), {
      serverUrl: 'https://b.example.com/mcp',
      apiIdentifier: 'api://x',
      fromOldList: false,
    });
  });

  it('says when the identifier came from the old flat list (which grants nothing now)', () => {
    assert.equal(apiTrustOfferFor(refusal('api://x/access_as_user'), B, ['api://X/'])?.fromOldList, true);
  });

  it('offers nothing for Graph, Resource Manager or any other refusal', () => {
    for (const scope of ['User.Read', 'https://management.azure.com/user_impersonation'])
      assert.equal(apiTrustOfferFor(refusal(scope), B, []), undefined, scope);
    assert.equal(apiTrustOfferFor(new SherpaError('RESOURCE_SCOPE_MISSING', 'x'), B, []), undefined);
    assert.equal(apiTrustOfferFor(new Error('x'), B, []), undefined);
  });
});
