import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AADSTS9010010,
  checkResourceMatchesScopes,
  createLabApiApps,
  findApiAppByIdentifier,
  formatScpClaim,
  listAllApiScopeStrings,
  parseApiScope,
  resolveResourceFromScope,
} from '../../../../src/servers/authz/api-resources';
import {
  LAB_API_APP_ID_URI,
  LAB_API_CLIENT_ID,
  LAB_OTHER_API_APP_ID_URI,
  LAB_OTHER_API_CLIENT_ID,
} from '../../../../src/servers/shared/lab-defaults';

const MCP_URL = 'http://127.0.0.1:7482/mcp';
const apps = createLabApiApps({ apiIdentifierUris: [MCP_URL] });
const API_SCOPE = `${LAB_API_APP_ID_URI}/access_as_user`;

describe('api-resources', () => {
  test('parseApiScope splits at the last slash, like Entra', () => {
    assert.deepEqual(parseApiScope(API_SCOPE), { identifierUri: LAB_API_APP_ID_URI, name: 'access_as_user' });
    assert.deepEqual(parseApiScope(`${MCP_URL}/access_as_user`), {
      identifierUri: MCP_URL,
      name: 'access_as_user',
    });
    assert.deepEqual(parseApiScope('access_as_user'), { name: 'access_as_user' });
  });

  test('both identifier URIs of the API app find it; the other API is separate', () => {
    assert.equal(findApiAppByIdentifier(apps, LAB_API_APP_ID_URI)?.clientId, LAB_API_CLIENT_ID);
    assert.equal(findApiAppByIdentifier(apps, MCP_URL)?.clientId, LAB_API_CLIENT_ID);
    assert.equal(findApiAppByIdentifier(apps, LAB_OTHER_API_APP_ID_URI)?.clientId, LAB_OTHER_API_CLIENT_ID);
    assert.equal(findApiAppByIdentifier(apps, 'https://evil.example/mcp'), undefined);
  });

  test('every scope spelling is listed for the provider (needed with DCR on)', () => {
    const all = listAllApiScopeStrings(apps);
    assert.ok(all.includes('access_as_user'));
    assert.ok(all.includes(API_SCOPE));
    assert.ok(all.includes(`${MCP_URL}/access_as_user`));
    assert.ok(all.includes(`${LAB_OTHER_API_APP_ID_URI}/access_as_user`));
    assert.equal(new Set(all).size, all.length);
  });

  test('resolveResourceFromScope takes the App ID URI of the first prefixed API scope', () => {
    assert.equal(resolveResourceFromScope(apps, `openid offline_access ${API_SCOPE}`), LAB_API_APP_ID_URI);
    assert.equal(
      resolveResourceFromScope(apps, `${LAB_OTHER_API_APP_ID_URI}/access_as_user`),
      LAB_OTHER_API_APP_ID_URI,
    );
    assert.equal(resolveResourceFromScope(apps, 'openid profile'), undefined);
    assert.equal(resolveResourceFromScope(apps, 'api://unknown/access_as_user'), undefined);
    assert.equal(resolveResourceFromScope(apps, 'access_as_user', { strict: true }), undefined);
    assert.equal(resolveResourceFromScope(apps, 'access_as_user', { strict: false }), LAB_API_APP_ID_URI);
  });

  test('strict: resource must equal the scope App ID URI (AADSTS9010010 otherwise)', () => {
    const strict = { strict: true };
    assert.equal(checkResourceMatchesScopes(apps, LAB_API_APP_ID_URI, API_SCOPE, strict), undefined);
    assert.equal(checkResourceMatchesScopes(apps, MCP_URL, API_SCOPE, strict), AADSTS9010010);
    assert.equal(checkResourceMatchesScopes(apps, MCP_URL, `${MCP_URL}/access_as_user`, strict), undefined);
    assert.equal(checkResourceMatchesScopes(apps, MCP_URL, 'openid access_as_user', strict), undefined);
    assert.match(AADSTS9010010, /^AADSTS9010010/);
  });

  test('lenient: any identifier URI of the same app is fine, another app is not', () => {
    const lenient = { strict: false };
    assert.equal(checkResourceMatchesScopes(apps, MCP_URL, API_SCOPE, lenient), undefined);
    assert.equal(
      checkResourceMatchesScopes(apps, MCP_URL, `${LAB_OTHER_API_APP_ID_URI}/access_as_user`, lenient),
      AADSTS9010010,
    );
  });

  test('scp holds scope names without prefix and without OIDC scopes', () => {
    assert.equal(formatScpClaim(`openid profile offline_access ${API_SCOPE}`), 'access_as_user');
    assert.equal(formatScpClaim(`${API_SCOPE} ${MCP_URL}/access_as_user`), 'access_as_user');
    assert.equal(formatScpClaim(undefined), '');
  });
});
