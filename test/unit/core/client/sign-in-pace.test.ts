/**
 * The engine at a person's pace (issue 20 §1): the MCP request clock stands still while a person signs
 * in, the sign-in has its own budget and Cancel, and a sign-in that cannot come back ends naming the
 * sign-in, not as a late MCP timeout. Against the loopback stand-in (test/support/hostile) with its real
 * authorization code flow; the clock is shortened (300 ms) so "slower than the timeout" takes a second —
 * the 60-second runs are the integration, extension and e2e tests.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { connectServer, type ConnectOptions } from '../../../../src/core/client/connect-server';
import { publicClient } from '../../../../src/core/client/mcp-authorization';
import type { ConnectStepEvent } from '../../../../src/core/client/steps';
import { isSherpaError } from '../../../../src/core/errors';
import { authorizationCodeGrant } from '../../../../src/core/grants/strategies';
import { RequestClock } from '../../../../src/core/mcp/request-clock';
import {
  headlessBrowser,
  startHostileServer,
  type HostileBehaviour,
  type HostileServer,
} from '../../../support/hostile/hostile-server';

const servers: HostileServer[] = [];
async function serve(b: HostileBehaviour = {}): Promise<HostileServer> {
  const s = await startHostileServer(b);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(s: HostileServer, openBrowser: (url: URL) => Promise<void>, extra: Partial<ConnectOptions>) {
  return connectServer(s.url, {
    credentials: publicClient('stand-in-client'),
    grant: authorizationCodeGrant({ openBrowser }),
    clock: new RequestClock(300),
    ...extra,
  });
}

describe('signing in at a person’s pace', () => {
  it('a person three times slower than the MCP request timeout still connects', async () => {
    const s = await serve();
    const c = await connect(
      s,
      async (url) => {
        await sleep(1_000); // reading the page, typing a password
        await headlessBrowser(url);
      },
      {},
    );
    try {
      assert.equal(c.tokens.accessToken.length > 0, true);
      assert.ok(c.tools.length > 0, 'tools/list reached');
    } finally {
      await c.close();
    }
  });

  it('a sign-in page that never comes back ends with LOGIN_TIMEOUT at the token step, not an MCP timeout', async () => {
    const s = await serve();
    const steps: ConnectStepEvent[] = [];
    await assert.rejects(
      connect(s, async () => undefined, { signInTimeoutMs: 800, onStep: (e) => steps.push(e) }),
      (e) => isSherpaError(e, 'LOGIN_TIMEOUT') && /not finished within 1 s/.test(e.message),
    );
    const failed = steps.filter((e) => e.status === 'fail').map((e) => e.step);
    assert.deepEqual(failed, ['token'], 'the sign-in step is named, and only it');
  });

  it('Cancel while the person is on the sign-in page ends at once with LOGIN_ABORTED', async () => {
    const s = await serve();
    const abort = new AbortController();
    const started = Date.now();
    await assert.rejects(
      connect(s, async () => void setTimeout(() => abort.abort(), 100), { signal: abort.signal }),
      (e) => isSherpaError(e, 'LOGIN_ABORTED'),
    );
    assert.ok(Date.now() - started < 5_000, 'not the sign-in budget');
  });

  it('an authorization endpoint that refuses the request (400) ends before any browser opens', async () => {
    const s = await serve({ authorizeRefusal: 400 });
    let opened = 0;
    const steps: ConnectStepEvent[] = [];
    await assert.rejects(
      connect(s, async () => void opened++, { onStep: (e) => steps.push(e) }),
      (e) =>
        isSherpaError(e, 'AUTHORIZATION_DENIED') &&
        /refused the sign-in request .*HTTP 400: invalid_client: Client not found/.test(e.message) &&
        e.details?.step === 'authorization-request',
    );
    assert.equal(opened, 0, 'no browser page that can only fail');
    assert.equal(steps.at(-1)?.step, 'token');
  });
});
