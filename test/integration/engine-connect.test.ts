/**
 * The MCP authorization engine (src/core/client) against the REAL lab: what ConnectedServer learnt, that
 * discovery runs once per connect, the one silent retry on 401 and its limit, and Dynamic Client
 * Registration (RFC 7591) when no client is pre-registered. Tokens come from the lab's real sign-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { cliGrant } from '../../src/cli/lab-token';
import { connectServer } from '../../src/core/client/connect-server';
import type { GrantStrategy, TokenRequest } from '../../src/core/client/grant-strategy';
import { publicClient } from '../../src/core/client/mcp-authorization';
import type { ConnectStepEvent } from '../../src/core/client/steps';
import { isSherpaError } from '../../src/core/errors';
import { withChangedClaims } from '../../src/core/token/forge';
import { createMcpFetch } from '../../src/core/mcp/mcp-connect';
import { networkPolicyFor, type GuardedFetch } from '../../src/core/net/guarded-fetch';
import { LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { startLabProcess, type LabProcess } from '../support/lab';
import { signInToLab } from '../support/lab-tokens';

const bob = LAB_USERS[1]!;

/** The engine's real guarded fetch, counting the requests per path. */
async function countingFetch(url: string): Promise<{ fetch: GuardedFetch; count: (path: string) => number }> {
  const inner = createMcpFetch(await networkPolicyFor(url));
  const seen: string[] = [];
  return {
    fetch: (input, init) => {
      seen.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return inner(input, init);
    },
    count: (path) => seen.filter((p) => p.startsWith(path)).length,
  };
}

/** A grant that records each request and signs in as bob; `tamper(reason)` spoils the token it returns. */
function recordingGrant(lab: LabProcess, tamper: (r: TokenRequest) => boolean) {
  const requests: TokenRequest[] = [];
  const grant: GrantStrategy = {
    name: 'lab sign-in (recorded)',
    grantTypes: ['authorization_code'],
    getToken: async (r) => {
      requests.push(r);
      const t = await signInToLab(lab, { user: 'bob', scopes: r.scopes, resource: r.resource });
      // A claim changed under the old signature: the secure server must answer 401 invalid_token.
      return tamper(r) ? { ...t, accessToken: withChangedClaims(t.accessToken, { scp: 'admin' }) } : t;
    },
  };
  return { grant, requests };
}

describe('the engine against the real lab', () => {
  let lab: LabProcess;
  before(async () => {
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
  });

  it('ConnectedServer carries what discovery learnt, and discovery ran once for a connect and two calls', async () => {
    const counter = await countingFetch(lab.secure);
    const steps: ConnectStepEvent[] = [];
    const connected = await connectServer(lab.secure, {
      credentials: publicClient(VSCODE_CLIENT_ID),
      grant: cliGrant({ user: 'bob' }),
      fetch: counter.fetch,
      knownIdentity: (issuer) => (issuer === lab.issuer ? { audiences: [lab.clientId] } : undefined),
      onStep: (e) => steps.push(e),
    });
    try {
      assert.deepEqual(
        steps.map((s) => `${s.step}:${s.status}`),
        ['probe', 'prm', 'as-metadata', 'registration', 'token', 'initialize', 'tools'].map((s) => `${s}:ok`),
      );
      assert.equal(connected.prm?.metadata.resource, lab.secure);
      assert.equal(connected.resource, lab.secure);
      assert.equal(connected.authorizationServer.issuer, lab.issuer);
      assert.equal(connected.authorizationServer.metadata.issuer, lab.issuer);
      assert.deepEqual(
        { id: connected.client.clientId, source: connected.client.source, auth: connected.client.authMethod },
        { id: VSCODE_CLIENT_ID, source: 'pre-registered', auth: 'none' },
      );
      assert.deepEqual(connected.scopes, [`${lab.secure}/access_as_user`]);
      assert.ok(
        connected.expectations.audiences?.includes(lab.clientId),
        'the lab API client id is expected',
      );
      assert.ok(connected.expectations.audiences?.includes(lab.secure), 'the PRM resource is expected');
      assert.deepEqual(connected.expectations.issuers, [lab.issuer]);
      assert.equal(connected.expectations.requiredScope, 'access_as_user');
      assert.equal(decodeJwt(connected.tokens.accessToken).oid, bob.oid);
      await connected.callTool('whoami');
      await connected.callTool('whoami');
      assert.equal(counter.count('/.well-known/oauth-protected-resource'), 1, 'PRM read once');
      assert.equal(counter.count('/.well-known/oauth-authorization-server'), 1, 'AS metadata read once');
      assert.equal(connected.authorizations, 1);
    } finally {
      await connected.close();
    }
  });

  it('a 401 for a token: one silent retry re-reads the PRM, not the AS metadata, and connects', async () => {
    const counter = await countingFetch(lab.secure);
    const { grant, requests } = recordingGrant(lab, (r) => r.reason === 'initial');
    const steps: ConnectStepEvent[] = [];
    const connected = await connectServer(lab.secure, {
      credentials: publicClient(VSCODE_CLIENT_ID),
      grant,
      fetch: counter.fetch,
      onStep: (e) => steps.push(e),
    });
    try {
      assert.deepEqual(
        steps.map((s) => s.step),
        ['probe', 'prm', 'as-metadata', 'registration', 'token', 'prm', 'retry', 'initialize', 'tools'],
      );
      assert.deepEqual(
        requests.map((r) => r.reason),
        ['initial', 'retry'],
      );
      assert.ok(requests[1]!.previous, 'the retry knows which token it replaces');
      assert.equal(counter.count('/.well-known/oauth-authorization-server'), 1);
      assert.equal(counter.count('/.well-known/oauth-protected-resource'), 2);
      const who = await connected.callTool('whoami');
      assert.match((who.content[0] as { text: string }).text, new RegExp(bob.oid));
    } finally {
      await connected.close();
    }
  });

  it('a server that keeps refusing: exactly one retry, then AUTH_RETRY_LIMIT with the challenge', async () => {
    const { grant, requests } = recordingGrant(lab, () => true);
    const steps: ConnectStepEvent[] = [];
    await assert.rejects(
      connectServer(lab.secure, {
        credentials: publicClient(VSCODE_CLIENT_ID),
        grant,
        onStep: (e) => steps.push(e),
      }),
      (e) =>
        isSherpaError(e, 'AUTH_RETRY_LIMIT') &&
        (e.details?.challenge as { error?: string }).error === 'invalid_token',
    );
    assert.deepEqual(
      requests.map((r) => r.reason),
      ['initial', 'retry'],
    );
    const last = steps.at(-1)!;
    assert.equal(`${last.step}:${last.status}`, 'retry:fail');
    assert.match(last.detail, /giving up/);
  });

  it('with no pre-registered client, the engine registers one (RFC 7591) at the lab and signs in with it', async () => {
    const steps: ConnectStepEvent[] = [];
    const connected = await connectServer(lab.secure, {
      grant: cliGrant({ user: 'bob' }),
      clientName: 'Sherpa engine test',
      onStep: (e) => steps.push(e),
    });
    try {
      assert.equal(connected.client.source, 'dcr');
      assert.notEqual(connected.client.clientId, VSCODE_CLIENT_ID);
      assert.match(steps.find((s) => s.step === 'registration')!.detail, /dynamic registration \(RFC 7591\)/);
      const claims = decodeJwt(connected.tokens.accessToken);
      assert.equal(claims.azp ?? claims.client_id, connected.client.clientId);
      assert.equal(claims.oid, bob.oid);
    } finally {
      await connected.close();
    }
  });
});
