/**
 * The engine's per-connection rules against loopback stand-ins (test/support/hostile): what a retry and
 * a step-up ask for, whose tokens a grant may see, where the bearer may go, how often a server can make
 * the person sign in, and that a cancel or a secret never leaks out as something else. Tokens come from
 * the stand-in's real authorization code flow (the browser is a headless redirect follower).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { connectServer, type ConnectOptions } from '../../../../src/core/client/connect-server';
import type { GrantStrategy, TokenRequest } from '../../../../src/core/client/grant-strategy';
import { createMcpAuthorization, publicClient } from '../../../../src/core/client/mcp-authorization';
import type { ConnectStepEvent } from '../../../../src/core/client/steps';
import { isSherpaError } from '../../../../src/core/errors';
import { authorizationCodeGrant } from '../../../../src/core/grants/strategies';
import {
  headlessBrowser,
  startHostileServer,
  type HostileBehaviour,
  type HostileServer,
} from '../../../support/hostile/hostile-server';

/** The real authorization code grant, recording every TokenRequest the engine hands it. */
function recorded(): { grant: GrantStrategy; requests: TokenRequest[] } {
  const inner = authorizationCodeGrant({ openBrowser: headlessBrowser, timeoutMs: 5_000 });
  const requests: TokenRequest[] = [];
  return {
    requests,
    grant: { ...inner, getToken: (r) => (requests.push(r), inner.getToken(r)) },
  };
}

const servers: HostileServer[] = [];
async function serve(b: HostileBehaviour): Promise<HostileServer> {
  const s = await startHostileServer(b);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

const summary = (rs: TokenRequest[]) => rs.map((r) => `${r.reason}[${r.scopes.join(' ')}]`);
const insufficient = (scope: string) => ({
  status: 403 as const,
  challenge: `Bearer error="insufficient_scope", scope="${scope}"`,
});
const invalidToken = { status: 401 as const, challenge: 'Bearer error="invalid_token"' };

function connect(s: HostileServer, grant: GrantStrategy, extra: Partial<ConnectOptions> = {}) {
  return connectServer(s.url, { credentials: publicClient('stand-in-client'), grant, ...extra });
}

describe('the engine, per connection', () => {
  it('a 401 after a step-up re-authorizes with the step-up scopes too, and knows the token it replaces', async () => {
    let calls = 0;
    const s = await serve({
      challengeScope: 'mcp:read',
      refuse: (_n, method) => {
        if (method !== 'tools/call') return undefined;
        calls++;
        return calls === 1 ? insufficient('mcp:write') : calls === 3 ? invalidToken : undefined;
      },
    });
    const { grant, requests } = recorded();
    const c = await connect(s, grant);
    try {
      await c.callTool('steal');
      await c.callTool('steal');
      assert.deepEqual(summary(requests), [
        'initial[mcp:read]',
        'step-up[mcp:read mcp:write]',
        'retry[mcp:read mcp:write]',
      ]);
      assert.ok(requests[2]!.previous, 'a retry at the same issuer gets the tokens it replaces');
    } finally {
      await c.close();
    }
  });

  it("after the PRM names another issuer, the new issuer's grant never sees the old issuer's tokens", async () => {
    const b = await serve({});
    let refused = false;
    const a = await serve({
      prm: (reads) => (reads === 0 ? {} : { authorization_servers: [b.issuer] }),
      refuse: (_n, method) =>
        method === 'tools/call' && !refused ? ((refused = true), invalidToken) : undefined,
    });
    const { grant, requests } = recorded();
    const c = await connect(a, grant);
    try {
      await c.callTool('steal');
      assert.deepEqual(
        requests.map((r) => `${r.reason}@${r.issuer}`),
        [`initial@${a.issuer}`, `retry@${b.issuer}`],
      );
      assert.equal(requests[1]!.previous, undefined, 'no previous tokens across issuers');
      assert.equal(c.authorizationServer.issuer, b.issuer);
      assert.equal(c.client.issuer, b.issuer);
    } finally {
      await c.close();
    }
  });

  it('a pre-registered client secret stays with its issuer: after a migration the new issuer gets a registration', async () => {
    const bb: HostileBehaviour = {};
    const b = await serve(bb);
    bb.asMetadata = {
      registration_endpoint: `${b.issuer}/register`,
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    };
    let refused = false;
    const a = await serve({
      asMetadata: { token_endpoint_auth_methods_supported: ['client_secret_basic'] },
      prm: (reads) => (reads === 0 ? {} : { authorization_servers: [b.issuer] }),
      refuse: (_n, method) =>
        method === 'tools/call' && !refused ? ((refused = true), invalidToken) : undefined,
    });
    const { grant, requests } = recorded();
    const c = await connectServer(a.url, {
      grant,
      credentials: { clientId: 'pre-registered-at-a', clientSecret: 'secret-for-a-only' },
    });
    try {
      await c.callTool('steal');
      assert.deepEqual(
        requests.map((r) => `${r.issuer} ${r.client.clientId} ${r.client.source}`),
        [`${a.issuer} pre-registered-at-a pre-registered`, `${b.issuer} hostile-dcr-client dcr`],
      );
      const basic = (q: { authorization?: string }) =>
        Buffer.from((q.authorization ?? 'Basic ').slice(6), 'base64').toString();
      assert.match(
        basic(a.requests.find((q) => q.path === '/as/token')!),
        /^pre-registered-at-a:secret-for-a-only$/,
      );
      for (const q of b.requests) assert.doesNotMatch(basic(q), /secret-for-a-only|pre-registered-at-a/);
    } finally {
      await c.close();
    }
  });

  it('a new scope on every request: 3 step-ups for the connection, then AUTH_RETRY_LIMIT', async () => {
    const s = await serve({
      challengeScope: 's0',
      refuse: (n) => (n % 2 === 0 ? insufficient(`s${n / 2 + 1}`) : undefined),
    });
    const { grant, requests } = recorded();
    const c = await connect(s, grant);
    try {
      await assert.rejects(
        c.callTool('steal'),
        (e) => isSherpaError(e, 'AUTH_RETRY_LIMIT') && /403 insufficient_scope/.test(e.hint ?? ''),
      );
      assert.deepEqual(summary(requests), [
        'initial[s0]',
        'step-up[s0 s1]',
        'step-up[s0 s1 s2]',
        'step-up[s0 s1 s2 s3]',
      ]);
    } finally {
      await c.close();
    }
  });

  it('401 on every second request: 2 re-authorizations in the window, then AUTH_RETRY_LIMIT', async () => {
    const s = await serve({ refuse: (n) => (n % 2 === 0 ? invalidToken : undefined) });
    const { grant, requests } = recorded();
    const steps: ConnectStepEvent[] = [];
    await assert.rejects(
      connect(s, grant, { onStep: (e) => steps.push(e) }),
      (e) =>
        isSherpaError(e, 'AUTH_RETRY_LIMIT') &&
        /401 \(invalid_token\) to freshly obtained tokens after 3 sign-ins/.test(e.hint ?? '') &&
        e.details?.status === 401,
    );
    assert.deepEqual(summary(requests), ['initial[]', 'retry[]', 'retry[]']);
    assert.equal(`${steps.at(-1)!.step}:${steps.at(-1)!.status}`, 'retry:fail');
  });

  it('a re-obtained token the server never accepts is not replaced again on the next request', async () => {
    // Accepts the first token once, then nothing: one retry, and the next request gives up at once.
    const s = await serve({ refuse: (n) => (n === 0 ? undefined : invalidToken) });
    const { grant, requests } = recorded();
    await assert.rejects(connect(s, grant), (e) => isSherpaError(e, 'AUTH_RETRY_LIMIT'));
    assert.deepEqual(summary(requests), ['initial[]', 'retry[]']);
  });

  it('403 insufficient_scope to the request without a token is the first sign-in, not a step-up', async () => {
    const s = await serve({ tokenlessStatus: 403, challengeScope: 'mcp:read' });
    const { grant, requests } = recorded();
    const steps: ConnectStepEvent[] = [];
    const c = await connect(s, grant, { onStep: (e) => steps.push(e) });
    await c.close();
    assert.deepEqual(summary(requests), ['initial[mcp:read]']);
    assert.deepEqual(
      steps.map((e) => e.step),
      ['probe', 'prm', 'as-metadata', 'registration', 'token', 'initialize', 'tools'],
    );
  });

  it("the engine's fetch never carries the token to another origin", async () => {
    const s = await serve({});
    const other = await serve({});
    const { grant } = recorded();
    const auth = createMcpAuthorization({ serverUrl: s.url, credentials: publicClient('c'), grant });
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    };
    const res = await auth.fetch(s.url, init);
    assert.equal(res.status, 200, 'same origin: authorized and served');
    await res.body?.cancel();
    assert.ok(auth.state.tokens);
    await assert.rejects(auth.fetch(other.url, init), (e) => isSherpaError(e, 'UNSAFE_URL'));
    await assert.rejects(auth.fetch(new URL(other.url), init), (e) => isSherpaError(e, 'UNSAFE_URL'));
    assert.deepEqual(other.requests, [], 'nothing reached the other origin');
  });

  it('ConnectedServer.client names the client without its secret, which only the TokenRequest carries', async () => {
    const b: HostileBehaviour = {};
    const s = await serve(b);
    b.asMetadata = {
      registration_endpoint: `${s.issuer}/register`,
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    };
    const { grant, requests } = recorded();
    const c = await connectServer(s.url, { grant });
    await c.close();
    assert.deepEqual(c.client, {
      clientId: 'hostile-dcr-client',
      source: 'dcr',
      issuer: s.issuer,
      authMethod: 'client_secret_basic',
    });
    assert.equal(requests[0]!.client.clientSecret, 'hostile-dcr-secret-0001');
    const tokenRequest = s.requests.find((r) => r.path === '/as/token');
    assert.match(tokenRequest?.authorization ?? '', /^Basic /, 'the secret was used at the token endpoint');
  });

  it('cancelling while the authorization server metadata is fetched stops there, with LOGIN_ABORTED', async () => {
    const s = await serve({});
    const abort = new AbortController();
    const { grant, requests } = recorded();
    const steps: string[] = [];
    // The caller cancels as the metadata request leaves; the engine's signal must reach that request.
    const cancelling: typeof fetch = async (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes('oauth-authorization-server')) {
        abort.abort();
      }
      return fetch(input, init);
    };
    const auth = createMcpAuthorization({
      serverUrl: s.url,
      credentials: publicClient('c'),
      grant,
      fetch: cancelling,
      signal: abort.signal,
      onStep: (e) => steps.push(`${e.step}:${e.status}`),
    });
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    await assert.rejects(auth.fetch(s.url, { method: 'POST', body }), (e) =>
      isSherpaError(e, 'LOGIN_ABORTED'),
    );
    assert.deepEqual(steps, ['probe:ok', 'prm:ok', 'as-metadata:fail']);
    assert.deepEqual(requests, [], 'no grant after the cancel');
  });

  it('cancelling a connect rejects with LOGIN_ABORTED, not the MCP SDK error', async () => {
    const s = await serve({});
    const abort = new AbortController();
    const waiting: GrantStrategy = {
      name: 'waits for the person',
      grantTypes: ['authorization_code'],
      getToken: (r) =>
        new Promise((_, reject) => {
          r.signal?.addEventListener('abort', () => reject(new Error('the person went away')));
          abort.abort();
        }),
    };
    await assert.rejects(connect(s, waiting, { signal: abort.signal }), (e) =>
      isSherpaError(e, 'LOGIN_ABORTED'),
    );
  });
});

describe('the engine and 2025-03-26 servers', () => {
  it('a 401 naming a resource_metadata that is missing is PRM_NOT_FOUND, with no 2025-03-26 fallback', async () => {
    const s = await serve({ noPrm: true, legacy: {} });
    const { grant } = recorded();
    await assert.rejects(connect(s, grant), (e) => isSherpaError(e, 'PRM_NOT_FOUND'));
    assert.ok(!s.requests.some((r) => r.path === '/.well-known/oauth-authorization-server'));
  });

  it('without resource_metadata, a 2025-03-26 server at its own origin connects', async () => {
    const s = await serve({ noPrm: true, legacy: {}, resourceMetadata: null });
    const { grant, requests } = recorded();
    const c = await connect(s, grant);
    await c.close();
    assert.equal(c.prm, undefined);
    assert.equal(c.authorizationServer.issuer, s.origin);
    assert.equal(c.authorizationServer.method, 'legacy-metadata');
    assert.deepEqual(
      requests.map((r) => r.issuer),
      [s.origin],
    );
  });
});
