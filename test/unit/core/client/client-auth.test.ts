import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportPKCS8, generateKeyPair } from 'jose';
import type * as client from 'openid-client';
import { createClientAuth, selectTokenEndpointAuthMethod } from '../../../../src/core/client/client-auth';
import { isSherpaError } from '../../../../src/core/errors';

test('the registered method wins over the server list', () => {
  assert.equal(selectTokenEndpointAuthMethod(['client_secret_post'], { authMethod: 'none' }), 'none');
});

test('a client with a secret prefers a secret method over none', () => {
  assert.equal(
    selectTokenEndpointAuthMethod(['none', 'client_secret_post'], { clientSecret: 's' }),
    'client_secret_post',
  );
});

test('an absent list means client_secret_basic (RFC 8414 §2)', () => {
  assert.equal(selectTokenEndpointAuthMethod(undefined, { clientSecret: 's' }), 'client_secret_basic');
});

test('a public client facing a secret-only server gets CLIENT_AUTH_UNSUPPORTED', () => {
  assert.throws(
    () => selectTokenEndpointAuthMethod(['client_secret_basic'], {}),
    (err: unknown) => isSherpaError(err, 'CLIENT_AUTH_UNSUPPORTED'),
  );
});

test('private_key_jwt is chosen only with a key', () => {
  assert.equal(
    selectTokenEndpointAuthMethod(['private_key_jwt'], { privateKeyPem: 'pem' }),
    'private_key_jwt',
  );
});

test('client_secret_basic leaves unreserved characters alone and form-encodes the rest (RFC 6749 §2.3.1)', async () => {
  const auth = await createClientAuth('client_secret_basic', {
    clientId: 'pre-registered-client',
    clientSecret: 'a b:c',
  });
  const headers = new Headers();
  const body = new URLSearchParams();
  auth(
    {} as client.ServerMetadata,
    { client_id: 'pre-registered-client' } as client.ClientMetadata,
    body,
    headers,
  );
  const decoded = Buffer.from(headers.get('authorization')!.replace(/^Basic /, ''), 'base64').toString();
  assert.equal(decoded, 'pre-registered-client:a+b%3Ac');
  assert.equal(body.has('client_secret'), false);
});

test('private_key_jwt imports a PKCS#8 key', async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const auth = await createClientAuth('private_key_jwt', {
    clientId: 'c',
    privateKeyPem: await exportPKCS8(privateKey),
    signingAlgorithm: 'ES256',
  });
  assert.equal(typeof auth, 'function');
});
