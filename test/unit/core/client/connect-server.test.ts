/**
 * The engine's step events and early refusals, against a loopback stand-in server (the hostile corpus's,
 * test/support/hostile, in its well-behaved default): OAuth metadata, an auto-approving authorization
 * endpoint, an opaque token and an MCP endpoint. The browser is a headless redirect follower.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectServer } from '../../../../src/core/client/connect-server';
import { publicClient } from '../../../../src/core/client/mcp-authorization';
import type { ConnectStepEvent } from '../../../../src/core/client/steps';
import { isSherpaError } from '../../../../src/core/errors';
import { authorizationCodeGrant } from '../../../../src/core/grants/strategies';
import {
  HOSTILE_TOKEN,
  headlessBrowser,
  startHostileServer,
  type HostileServer,
} from '../../../support/hostile/hostile-server';

const options = (steps: ConnectStepEvent[]) => ({
  credentials: publicClient('stand-in-client'),
  grant: authorizationCodeGrant({ openBrowser: headlessBrowser, timeoutMs: 5_000 }),
  onStep: (e: ConnectStepEvent) => steps.push(e),
});

describe('connectServer step events', () => {
  let good: HostileServer;
  before(async () => {
    good = await startHostileServer({ challengeScope: 'mcp:read' });
  });
  after(() => good.close());

  it('reports probe → prm → as-metadata → registration → token → initialize → tools, each once, in order', async () => {
    const steps: ConnectStepEvent[] = [];
    const connected = await connectServer(good.url, options(steps));
    try {
      assert.deepEqual(
        steps.map((e) => `${e.step}:${e.status}`),
        ['probe', 'prm', 'as-metadata', 'registration', 'token', 'initialize', 'tools'].map((s) => `${s}:ok`),
      );
      assert.match(steps[0]!.detail, /^401 Bearer resource_metadata=\S+ scope=mcp:read$/);
      assert.match(steps[3]!.detail, /^pre-registered client stand-in-client \(none\)$/);
      assert.equal(steps[4]!.detail, 'opaque access token (scope mcp:read)');
      for (const e of steps)
        assert.doesNotMatch(e.detail, new RegExp(HOSTILE_TOKEN), 'no token in a step line');
      assert.deepEqual(connected.scopes, ['mcp:read']);
      assert.deepEqual(connected.grantedScopes, ['mcp:read']);
      assert.equal(connected.authorizationServer.issuer, good.issuer);
      assert.deepEqual(connected.expectations.issuers, [good.issuer]);
    } finally {
      await connected.close();
    }
  });

  it('a refused server scope stops at prm: no request reaches the authorization server it names', async () => {
    const s = await startHostileServer({ challengeScope: 'VSCODE_TENANT:common mcp:read' });
    try {
      const steps: ConnectStepEvent[] = [];
      await assert.rejects(connectServer(s.url, options(steps)), (e) => isSherpaError(e, 'UNTRUSTED_SCOPE'));
      assert.deepEqual(
        steps.map((e) => `${e.step}:${e.status}`),
        ['probe:ok', 'prm:fail'],
      );
      assert.deepEqual(
        s.requests.filter((r) => r.path.includes('/as')),
        [],
      );
    } finally {
      await s.close();
    }
  });

  it('an unreachable server fails at the probe, with nothing after it', async () => {
    const s = await startHostileServer();
    const url = s.url;
    await s.close();
    const steps: ConnectStepEvent[] = [];
    await assert.rejects(connectServer(url, options(steps)), (e) => isSherpaError(e, 'SERVER_UNREACHABLE'));
    assert.deepEqual(
      steps.map((e) => `${e.step}:${e.status}`),
      ['probe:fail'],
    );
  });
});
