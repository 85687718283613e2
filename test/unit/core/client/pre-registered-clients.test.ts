/** Which pre-registered client an issuer gets: only where it was registered (issue 17 §1). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseIssuerClientId,
  preRegisteredClientFor,
} from '../../../../src/core/client/pre-registered-clients';
import { isEntraIssuer } from '../../../../src/core/entra';
import { isSherpaError } from '../../../../src/core/errors';
import { VSCODE_CLIENT_ID } from '../../../../src/core/well-known-ids';
import { isLabIssuer } from '../../../../src/lab/lab-issuer';
import { LAB_TENANT_ID } from '../../../../src/servers/shared/lab-defaults';

const ENTRA = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
const LAB = `http://127.0.0.1:7480/${LAB_TENANT_ID}/v2.0`;
const OTHER = 'http://localhost:3001/';
const firstParty = {
  clientId: VSCODE_CLIENT_ID,
  preAuthorizedAt: (i: string) => isEntraIssuer(i) || isLabIssuer(i),
};

test("VS Code's id goes to Entra and the lab only; any other issuer gets none (CIMD/DCR next)", () => {
  const forIssuer = preRegisteredClientFor({ firstParty });
  assert.equal(forIssuer(ENTRA)?.clientId, VSCODE_CLIENT_ID);
  assert.equal(forIssuer(LAB)?.clientId, VSCODE_CLIENT_ID);
  assert.equal(forIssuer(OTHER), undefined);
  assert.equal(
    forIssuer('http://127.0.0.1:7480/another-tenant/v2.0'),
    undefined,
    'a loopback issuer is not the lab',
  );
});

test('an id configured for an issuer is used there only, before the first-party one; trailing slash forgiven', () => {
  const forIssuer = preRegisteredClientFor({
    firstParty,
    byIssuer: { 'http://localhost:3001': 'mine', [LAB]: 'my-lab-app' },
  });
  assert.deepEqual(forIssuer(OTHER), { clientId: 'mine', authMethod: 'none' });
  assert.equal(forIssuer(LAB)?.clientId, 'my-lab-app');
  assert.equal(forIssuer('https://other.example'), undefined);
});

test("the CLI's --client-id ID is this server's, whichever issuer it names", () => {
  const forIssuer = preRegisteredClientFor({ firstParty, forThisServer: 'given' });
  assert.equal(forIssuer(OTHER)?.clientId, 'given');
  assert.equal(forIssuer(ENTRA)?.clientId, 'given');
});

test('ISSUER=CLIENT_ID parses at the first "=" after the issuer; anything else is BAD_ARGUMENT', () => {
  assert.deepEqual(parseIssuerClientId('https://idp.example/realm=abc=def'), {
    issuer: 'https://idp.example/realm',
    clientId: 'abc=def',
  });
  for (const bad of ['abc', '=abc', 'ftp://x=abc', 'https://idp.example=']) {
    assert.throws(
      () => parseIssuerClientId(bad),
      (e) => isSherpaError(e, 'BAD_ARGUMENT'),
      bad,
    );
  }
});
