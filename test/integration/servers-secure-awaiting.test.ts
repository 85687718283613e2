import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postJsonRpc, rawRequest } from '../support/http-request';
import { startTestIssuer, type TestIssuer } from '../support/mint-token';
import { secureServerEnv, startServerProcess, type ServerProcess } from '../support/server-process';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const WHOAMI = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

interface AwaitingBody {
  error: { code: number; message: string; data: { state: string; missing: string[] } };
}

// The first `azd provision` deploys the secure app before its API app registration exists: the server must
// run (health probe, metadata) instead of exiting into a crash-looping revision, and must accept no token.
describe('secure MCP server awaiting configuration (no SHERPA_API_CLIENT_ID)', () => {
  let issuer: TestIssuer;
  let server: ServerProcess;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sherpa-secure-awaiting-'));
    issuer = await startTestIssuer();
    const env = secureServerEnv(issuer, dataDir);
    delete env.SHERPA_API_CLIENT_ID;
    delete env.SHERPA_JWKS_URI; // would be discovered from the issuer — which must not be contacted now
    server = await startServerProcess('src/servers/secure/main.ts', env);
  });
  after(async () => {
    await server?.stop();
    await issuer?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts and serves its Protected Resource Metadata (the health path)', async () => {
    const res = await rawRequest(`${server.origin}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(res.status, 200);
    const prm = res.json<{ resource: string; authorization_servers: string[] }>();
    assert.equal(prm.resource, server.url);
    assert.deepEqual(prm.authorization_servers, [issuer.issuer]);
  });

  it('answers an MCP request with 503 naming sherpa azure register / configure, and no sign-in challenge', async () => {
    const res = await postJsonRpc(server.url, INITIALIZE);
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '60');
    assert.equal(res.headers['www-authenticate'], undefined);
    const body = res.json<AwaitingBody>();
    assert.deepEqual(body.error.data, { state: 'awaiting-configuration', missing: ['SHERPA_API_CLIENT_ID'] });
    assert.match(body.error.message, /SHERPA_API_CLIENT_ID is not set/);
    assert.match(body.error.message, /`sherpa azure register`.*`sherpa azure configure`/);
  });

  it('never accepts a token, even one validly signed by its issuer', async () => {
    const token = await issuer.mint({}, { user: 'alice' });
    const res = await postJsonRpc(server.url, WHOAMI, token);
    assert.equal(res.status, 503);
    assert.doesNotMatch(res.text, /alice/i);
    assert.equal(issuer.jwksFetches(), 0, 'nothing to check against: the issuer is never contacted');
  });

  it('says so in its log, without a token', () => {
    assert.match(server.stderr(), /awaiting configuration/);
    assert.doesNotMatch(server.stderr(), /eyJ/);
  });
});
