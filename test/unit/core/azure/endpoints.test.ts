import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  azureEndpointsFromEnv,
  isKnownAuthorityHost,
  PUBLIC_CLOUD,
} from '../../../../src/core/azure/endpoints';
import { isSherpaError } from '../../../../src/core/errors';

test('endpoints default to the public cloud', () => {
  assert.deepEqual(azureEndpointsFromEnv({}), PUBLIC_CLOUD);
});

test('endpoints come from the documented env names (sovereign clouds), trailing slash trimmed', () => {
  const e = azureEndpointsFromEnv({
    AZURE_RESOURCE_MANAGER_ENDPOINT: 'https://management.usgovcloudapi.net/',
    MICROSOFT_GRAPH_ENDPOINT: 'https://graph.microsoft.us',
    AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
  });
  assert.deepEqual(e, {
    resourceManager: 'https://management.usgovcloudapi.net',
    graph: 'https://graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
  });
  assert.equal(isKnownAuthorityHost(e.authorityHost), true);
  assert.equal(isKnownAuthorityHost('https://127.0.0.1:4443'), false);
});

test('a plain-http or malformed endpoint is refused, naming the variable', () => {
  assert.throws(
    () => azureEndpointsFromEnv({ AZURE_RESOURCE_MANAGER_ENDPOINT: 'http://management.azure.com' }),
    (err: unknown) =>
      isSherpaError(err, 'INSECURE_TRANSPORT') && /AZURE_RESOURCE_MANAGER_ENDPOINT/.test(err.message),
  );
  assert.throws(
    () => azureEndpointsFromEnv({ MICROSOFT_GRAPH_ENDPOINT: 'graph' }),
    (err: unknown) => isSherpaError(err, 'BAD_ARGUMENT') && /MICROSOFT_GRAPH_ENDPOINT/.test(err.message),
  );
});
