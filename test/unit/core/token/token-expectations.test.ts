import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTokenExpectations } from '../../../../src/core/token/token-expectations';
import { inspectToken } from '../../../../src/core/token/token-inspection';

const GUID = 'c0a8f3e2-71b4-4d69-a5e0-3f92b8d61c47';
const ISS = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
const decoded = (aud: string) => ({
  header: { alg: 'RS256' },
  claims: {
    aud,
    iss: ISS,
    exp: 2_000_000_000,
    scp: 'access_as_user',
    tid: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  },
});
const audience = (aud: string, scopes: string[]) =>
  inspectToken(decoded(aud), {
    ...buildTokenExpectations({ resource: 'https://mcp.example.com/mcp', scopes, issuers: [ISS] }),
    now: 1_900_000_000,
  }).find((c) => c.id === 'audience')!;

describe('token expectations from public metadata (core, shared by the CLI and the extension)', () => {
  it('derives audiences, scope and tenant from PRM and issuer', () => {
    const e = buildTokenExpectations({
      resource: 'https://mcp.example.com/mcp',
      scopes: [`api://${GUID}/access_as_user`],
      issuers: [ISS],
    });
    assert.deepEqual(e.audiences, ['https://mcp.example.com/mcp', `api://${GUID}`, GUID]);
    assert.equal(e.requiredScope, 'access_as_user');
    assert.deepEqual(e.tenants, ['72f988bf-86f1-41af-91ab-2d7cd011db47']);
  });

  it('an api://{guid} scope makes the client-id audience checkable', () => {
    assert.equal(audience(GUID, [`api://${GUID}/access_as_user`]).status, 'pass');
    assert.equal(
      audience('9d2b6e14-c3a7-4f85-b0d1-6e48a2f9c735', [`api://${GUID}/access_as_user`]).status,
      'fail',
    );
  });

  it('a GUID audience with only URL-form metadata is unknown, not a false confused-deputy alarm', () => {
    const c = audience(GUID, ['https://mcp.example.com/mcp/access_as_user']);
    assert.equal(c.status, 'unknown');
    assert.match(c.detail, /application \(client\) id/);
    assert.equal(
      audience('https://other.example.com', ['https://mcp.example.com/mcp/access_as_user']).status,
      'fail',
    );
  });
});
