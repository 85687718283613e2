/**
 * Microsoft's own validator on the lab's Entra tokens (issue 17 §4). An ASP.NET Core MCP server built the way
 * Microsoft documents it — ModelContextProtocol.AspNetCore + Microsoft.Identity.Web's AddMicrosoftIdentityWebApi
 * with its default v2 validation (test/interop/dotnet/AspNetEntraMcp) — trusts `sherpa lab --entra` only through
 * HTTPS_PROXY and SSL_CERT_FILE, as a server behind a corporate TLS proxy would. It must accept the lab's access
 * tokens for the lab API and refuse the other API's, expired, tampered and foreign-tenant ones. Where it disagrees
 * with the lab, the lab is wrong. Needs the .NET 10 SDK: without it this file FAILS, naming the SDK.
 */
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt, generateKeyPair } from 'jose';
import {
  LAB_API_APP_ID_URI,
  LAB_API_CLIENT_ID,
  LAB_FOREIGN_TENANT_ID,
  LAB_OTHER_API_APP_ID_URI,
  LAB_OTHER_API_CLIENT_ID,
  LAB_TENANT_ID,
  LAB_USERS,
} from '../../../src/servers/shared/lab-defaults';
import { readLabSigningKey, resignLabToken, type LabSigningKey } from '../../../src/lab/lab-key';
import { entraLabRoute, type LabRoute } from '../../../src/lab/lab-login';
import { startLabProcess, type LabProcess } from '../../support/lab';
import { buildDotnetProject } from '../../support/interop/dotnet';
import { signInThroughEntraLab } from '../../support/entra-lab-sign-in';
import { startAspNetEntraServer, type AspNetServer } from '../../support/interop/aspnet-entra-fixture';

const [alice, bob] = LAB_USERS as unknown as [(typeof LAB_USERS)[0], (typeof LAB_USERS)[0]];
const API_SCOPE = `${LAB_API_APP_ID_URI}/access_as_user`;

/** tools/list + whoami with `token`, through the MCP TypeScript SDK's client. */
async function whoami(
  mcpUrl: string,
  token: string,
): Promise<{ tools: string[]; me: Record<string, string> }> {
  const client = new Client({ name: 'aspnet-interop-test', version: '0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  try {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    const text = (result.content as Array<{ type: string; text: string }>)[0]?.text ?? '';
    return { tools, me: JSON.parse(text) as Record<string, string> };
  } finally {
    await client.close();
  }
}

/** One MCP `initialize` POST with `token`: the HTTP status and WWW-Authenticate. */
async function post(mcpUrl: string, token: string): Promise<{ status: number; challenge: string | null }> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } },
    }),
  });
  await res.arrayBuffer();
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

describe('Microsoft.Identity.Web (ASP.NET Core MCP server) on the Entra lab’s tokens', () => {
  let lab: LabProcess;
  let route: LabRoute;
  let key: LabSigningKey;
  let server: AspNetServer;
  let mcpUrl: string;
  let aliceToken: string;
  let builtDll: string;

  before(async () => {
    const { dll } = await buildDotnetProject('AspNetEntraMcp');
    lab = await startLabProcess({ args: ['--entra', '--proxy-port', '0'] });
    const entra = lab.entra!;
    route = entraLabRoute(entra, await readFile(entra.caPath, 'utf8'));
    key = await readLabSigningKey(lab.dataDir);
    builtDll = dll;
    server = await startAspNetEntraServer(dll, lab);
    mcpUrl = server.mcpUrl;
    aliceToken = await signInThroughEntraLab(route, alice, API_SCOPE);
  });
  after(async () => {
    await server?.stop();
    await lab?.stop();
  });

  test('accepts alice’s token for the lab API: tools/list and whoami see her oid, tenant and scope', async () => {
    const { tools, me } = await whoami(mcpUrl, aliceToken);
    assert.deepEqual(tools, ['whoami']);
    assert.equal(me.oid, alice.oid);
    assert.equal(me.tid, LAB_TENANT_ID);
    assert.equal(me.name, alice.name);
    assert.equal(me.displayName, alice.email, 'GetDisplayName() reads preferred_username first');
    assert.equal(me.scp, 'access_as_user');
    assert.equal(me.aud, LAB_API_CLIENT_ID);
  });

  test('accepts bob’s token requested with the secure server’s URL as the scope prefix (aud is the client id)', async () => {
    const token = await signInThroughEntraLab(route, bob, `${lab.secure}/access_as_user`);
    assert.equal(decodeJwt(token).aud, LAB_API_CLIENT_ID);
    assert.equal((await whoami(mcpUrl, token)).me.oid, bob.oid);
  });

  test('without a token: 401 with the PRM address (ModelContextProtocol.AspNetCore’s challenge)', async () => {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    assert.match(
      challenge,
      /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
  });

  // Each refusal names the exception Microsoft's validator threw, so it is refused for the stated reason.
  const refused = async (token: string, exception: RegExp) => {
    const before = server.output().length;
    const { status } = await post(mcpUrl, token);
    assert.equal(status, 401);
    const said = server.output().slice(before);
    assert.match(said, exception, `the server said: ${said}`);
  };

  test('control: alice’s token re-signed unchanged with the lab key is accepted (the forgeries below differ only as stated)', async () => {
    const same = await resignLabToken(aliceToken, {}, { key: key.privateKey });
    assert.equal((await post(mcpUrl, same)).status, 200);
  });

  test('refuses the other API’s token (aud = its client id, signed by the lab as Entra would)', async () => {
    await refused(
      await resignLabToken(aliceToken, { aud: LAB_OTHER_API_CLIENT_ID }, { key: key.privateKey }),
      /auth-failed SecurityTokenInvalidAudienceException/,
    );
    await refused(
      await resignLabToken(aliceToken, { aud: LAB_OTHER_API_APP_ID_URI }, { key: key.privateKey }),
      /auth-failed SecurityTokenInvalidAudienceException/,
    );
  });

  test('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(
      await resignLabToken(
        aliceToken,
        { iat: now - 7200, nbf: now - 7200, exp: now - 3600 },
        { key: key.privateKey },
      ),
      /auth-failed SecurityTokenExpiredException/,
    );
  });

  test('refuses a tampered token (oid swapped to bob’s, signature kept)', async () => {
    const [header, , signature] = aliceToken.split('.');
    const payload = { ...decodeJwt(aliceToken), oid: bob.oid };
    const tampered = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    await refused(tampered, /auth-failed SecurityTokenInvalidSignatureException/);
  });

  test('refuses a token signed by another key under the lab’s kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await refused(
      await resignLabToken(aliceToken, {}, { key: privateKey }),
      /auth-failed SecurityToken(InvalidSignature|SignatureKeyNotFound)Exception/,
    );
  });

  test('refuses another tenant’s issuer, and a token with neither scp nor roles', async () => {
    const foreignIss = `https://login.microsoftonline.com/${LAB_FOREIGN_TENANT_ID}/v2.0`;
    await refused(
      await resignLabToken(
        aliceToken,
        { iss: foreignIss, tid: LAB_FOREIGN_TENANT_ID },
        { key: key.privateKey },
      ),
      /auth-failed SecurityTokenInvalidIssuerException/,
    );
    await refused(
      await resignLabToken(aliceToken, { scp: undefined, roles: undefined }, { key: key.privateKey }),
      /auth-failed AuthenticationFailureException: IDW10201: Neither scope nor roles claim was found/,
    );
  });

  test('without the lab CA (SSL_CERT_FILE unset) it cannot read the issuer’s metadata and refuses even alice’s token', async () => {
    // Shows the trust above came from the lab CA through the proxy, not from a validation that was skipped.
    const untrusting = await startAspNetEntraServer(builtDll, lab, { env: { SSL_CERT_FILE: '/dev/null' } });
    try {
      const { status } = await post(untrusting.mcpUrl, aliceToken);
      assert.equal(status, 401);
      // Microsoft.Identity.Web's issuer validator reads the tenant's metadata first: unreadable, no issuer passes.
      assert.match(untrusting.output(), /auth-failed SecurityTokenInvalidIssuerException/);
    } finally {
      await untrusting.stop();
    }
  });
});
