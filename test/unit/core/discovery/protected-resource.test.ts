import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  buildPrmCandidateUrls,
  discoverProtectedResource,
} from '../../../../src/core/discovery/protected-resource';
import { isSherpaError } from '../../../../src/core/errors';

// A stand-in for a third-party MCP server (some hostile): serves whatever PRM each test sets.
let server: Server;
let origin = '';
let routes: Record<string, unknown> = {};
const hits: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = routes[req.url ?? ''];
    if (body === undefined) return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const reset = (r: Record<string, unknown>) => {
  routes = r;
  hits.length = 0;
};

test('candidate URLs: path-suffixed first, then root', () => {
  assert.deepEqual(buildPrmCandidateUrls('https://h.example/mcp'), [
    { url: 'https://h.example/.well-known/oauth-protected-resource/mcp', source: 'path-suffixed' },
    { url: 'https://h.example/.well-known/oauth-protected-resource', source: 'root' },
  ]);
  assert.deepEqual(buildPrmCandidateUrls('https://h.example/'), [
    { url: 'https://h.example/.well-known/oauth-protected-resource', source: 'root' },
  ]);
});

test('uses resource_metadata from the challenge first', async () => {
  reset({
    '/custom-prm': { resource: `${origin}/mcp`, authorization_servers: ['http://127.0.0.1:1/t/v2.0'] },
  });
  const found = await discoverProtectedResource(`${origin}/mcp`, {
    resourceMetadataUrl: `${origin}/custom-prm`,
  });
  assert.equal(found.source, 'challenge');
  assert.deepEqual(hits, ['/custom-prm']);
});

test('falls back from path-suffixed (404) to root well-known', async () => {
  reset({
    '/.well-known/oauth-protected-resource': {
      resource: `${origin}/mcp`,
      authorization_servers: ['https://as'],
    },
  });
  const found = await discoverProtectedResource(`${origin}/mcp`);
  assert.equal(found.source, 'root');
  assert.deepEqual(hits, [
    '/.well-known/oauth-protected-resource/mcp',
    '/.well-known/oauth-protected-resource',
  ]);
  assert.deepEqual(
    found.attempts.map((a) => a.status),
    [404, 200],
  );
});

test('normalised URLs compare equal (host case, default port) but a trailing slash does not', async () => {
  const port = new URL(origin).port;
  reset({
    '/.well-known/oauth-protected-resource/mcp': {
      resource: `HTTP://127.0.0.1:${port}/mcp#frag`,
      authorization_servers: ['https://as'],
    },
  });
  await discoverProtectedResource(`${origin}/mcp`);
  reset({
    '/.well-known/oauth-protected-resource/mcp': {
      resource: `${origin}/mcp/`,
      authorization_servers: ['https://as'],
    },
  });
  await assert.rejects(discoverProtectedResource(`${origin}/mcp`), (e) =>
    isSherpaError(e, 'PRM_RESOURCE_MISMATCH'),
  );
});

test('a PRM naming another resource is rejected with PRM_RESOURCE_MISMATCH (RFC 9728 §3.3)', async () => {
  reset({
    '/.well-known/oauth-protected-resource/mcp': {
      resource: 'https://bank.example/api',
      authorization_servers: ['https://as'],
    },
  });
  await assert.rejects(discoverProtectedResource(`${origin}/mcp`), (e) => {
    assert.ok(isSherpaError(e, 'PRM_RESOURCE_MISMATCH'));
    assert.ok(e.hint);
    assert.equal(e.details?.actual, 'https://bank.example/api');
    return true;
  });
});

test('missing authorization_servers, malformed JSON and nothing at all give distinct codes', async () => {
  reset({
    '/.well-known/oauth-protected-resource/mcp': { resource: `${origin}/mcp`, authorization_servers: [] },
  });
  await assert.rejects(discoverProtectedResource(`${origin}/mcp`), (e) => isSherpaError(e, 'PRM_INVALID'));
  reset({ '/.well-known/oauth-protected-resource/mcp': '{not json' });
  await assert.rejects(discoverProtectedResource(`${origin}/mcp`), (e) => isSherpaError(e, 'PRM_INVALID'));
  reset({});
  await assert.rejects(discoverProtectedResource(`${origin}/mcp`), (e) => isSherpaError(e, 'PRM_NOT_FOUND'));
});
