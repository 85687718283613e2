/** The authorization request probed before the browser: only an outright 4xx refusal stops the sign-in. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isSherpaError } from '../../../../src/core/errors';
import { preflightAuthorizationRequest } from '../../../../src/core/grants/authorization-preflight';

async function authorizeEndpoint(answer: (res: import('node:http').ServerResponse) => void) {
  const server = createServer((_req, res) => answer(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/authorize?client_id=x`);
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('400 with an RFC 6749 error body → AUTHORIZATION_DENIED naming the step and what the server said', async () => {
  const ep = await authorizeEndpoint((res) =>
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end('{"error":"invalid_client","error_description":"Invalid client_id"}'),
  );
  try {
    await assert.rejects(
      preflightAuthorizationRequest(ep.url),
      (e) =>
        isSherpaError(e, 'AUTHORIZATION_DENIED') &&
        /HTTP 400: invalid_client: Invalid client_id/.test(e.message) &&
        e.details?.step === 'authorization-request',
    );
  } finally {
    await ep.close();
  }
});

test('an HTML error page (4xx) is quoted as text, without its markup', async () => {
  const ep = await authorizeEndpoint((res) =>
    res
      .writeHead(404, { 'content-type': 'text/html' })
      .end('<html><style>p{}</style><h1>Unknown <b>application</b></h1></html>'),
  );
  try {
    await assert.rejects(
      preflightAuthorizationRequest(ep.url),
      (e) => isSherpaError(e) && /HTTP 404: Unknown application\)/.test(e.message),
    );
  } finally {
    await ep.close();
  }
});

test('a login page (200), a redirect (302) or no answer at all: the browser goes ahead', async () => {
  for (const answer of [
    (res: import('node:http').ServerResponse) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<form>'),
    (res: import('node:http').ServerResponse) =>
      res.writeHead(302, { location: 'http://127.0.0.1:1/callback?code=c' }).end(),
  ]) {
    const ep = await authorizeEndpoint(answer);
    try {
      await preflightAuthorizationRequest(ep.url);
    } finally {
      await ep.close();
    }
  }
  await preflightAuthorizationRequest(new URL('http://127.0.0.1:1/authorize'));
});
