import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { ServerMetadata } from 'openid-client';
import { obtainClient } from '../../../../src/core/client/client-registration';
import { isSherpaError } from '../../../../src/core/errors';

const base = {
  redirectUris: ['http://127.0.0.1/callback'],
  clientName: 'test',
  grantTypes: ['authorization_code'],
};
const as = (extra: Partial<ServerMetadata> = {}): ServerMetadata => ({
  issuer: 'https://as.example',
  ...extra,
});

test('pre-registered credentials are used first', async () => {
  const c = await obtainClient(as({ registration_endpoint: 'https://as.example/register' }), {
    ...base,
    preRegistered: { clientId: 'pre', clientSecret: 's' },
  });
  assert.deepEqual([c.source, c.clientId, c.issuer], ['pre-registered', 'pre', 'https://as.example']);
});

test('a CIMD URL is the client id when the server supports it', async () => {
  const c = await obtainClient(as({ client_id_metadata_document_supported: true }), {
    ...base,
    clientMetadataUrl: 'https://client.example/meta.json',
  });
  assert.deepEqual(
    [c.source, c.clientId, c.authMethod],
    ['cimd', 'https://client.example/meta.json', 'none'],
  );
});

test('no registration path at all → NO_CLIENT_REGISTRATION', async () => {
  await assert.rejects(obtainClient(as(), base), (err: unknown) =>
    isSherpaError(err, 'NO_CLIENT_REGISTRATION'),
  );
});

test('RFC 7591 DCR: sends native-app metadata, keeps secret and method', async (t) => {
  let received: Record<string, unknown> = {};
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received = JSON.parse(body) as Record<string, unknown>;
      // No client_secret_expires_at: tolerated, as real servers omit it.
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          client_id: 'dyn-1',
          client_secret: 'sec',
          token_endpoint_auth_method: 'client_secret_post',
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const c = await obtainClient(
    as({
      issuer: origin,
      registration_endpoint: `${origin}/register`,
      token_endpoint_auth_methods_supported: ['client_secret_post'],
    }),
    base,
  );
  assert.deepEqual(
    [c.source, c.clientId, c.clientSecret, c.authMethod],
    ['dcr', 'dyn-1', 'sec', 'client_secret_post'],
  );
  assert.equal(received.application_type, 'native');
  assert.equal(received.token_endpoint_auth_method, 'client_secret_post');
  assert.deepEqual(received.redirect_uris, ['http://127.0.0.1/callback']);
});

test('a refused registration → CLIENT_REGISTRATION_FAILED', async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_client_metadata' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await assert.rejects(
    obtainClient(as({ issuer: origin, registration_endpoint: `${origin}/register` }), base),
    (err: unknown) => isSherpaError(err, 'CLIENT_REGISTRATION_FAILED'),
  );
});
