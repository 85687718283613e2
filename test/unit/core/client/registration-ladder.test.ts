/**
 * The engine's registration ladder against a loopback stand-in authorization server (issue 17 §1):
 * pre-registered only where registered, then CIMD, then RFC 7591 DCR (with a redirect URI whose port the
 * sign-in then uses), else NO_CLIENT_REGISTRATION before any browser opens.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { connectServer } from '../../../../src/core/client/connect-server';
import type { GrantStrategy, TokenRequest } from '../../../../src/core/client/grant-strategy';
import type { ConnectStepEvent } from '../../../../src/core/client/steps';
import { isSherpaError } from '../../../../src/core/errors';
import { authorizationCodeGrant } from '../../../../src/core/grants/strategies';
import {
  headlessBrowser,
  startHostileServer,
  type HostileBehaviour,
  type HostileServer,
} from '../../../support/hostile/hostile-server';

const servers: HostileServer[] = [];
async function serve(b: (s: { issuer: string }) => HostileBehaviour): Promise<HostileServer> {
  const behaviour: HostileBehaviour = {};
  const s = await startHostileServer(behaviour);
  Object.assign(behaviour, b(s));
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

function browserRecording(opened: URL[]) {
  const inner = authorizationCodeGrant({
    openBrowser: async (url) => {
      opened.push(url);
      await headlessBrowser(url);
    },
  });
  const requests: TokenRequest[] = [];
  const grant: GrantStrategy = { ...inner, getToken: (r) => (requests.push(r), inner.getToken(r)) };
  return { grant, requests };
}

describe('the registration ladder', () => {
  it('no pre-registered client, no CIMD, no DCR: NO_CLIENT_REGISTRATION with the caller’s hint, no browser', async () => {
    const s = await serve(() => ({}));
    const opened: URL[] = [];
    const steps: ConnectStepEvent[] = [];
    await assert.rejects(
      connectServer(s.url, {
        grant: browserRecording(opened).grant,
        credentials: () => undefined,
        preRegistrationHint: 'use --client-id',
        onStep: (e) => steps.push(e),
      }),
      (e) =>
        isSherpaError(e, 'NO_CLIENT_REGISTRATION') &&
        /needs a pre-registered client id/.test(e.message) &&
        e.hint === 'use --client-id',
    );
    assert.deepEqual(opened, []);
    assert.equal(steps.find((e) => e.status === 'fail')?.step, 'registration');
  });

  it('DCR registers a loopback redirect URI with a reserved port, and the sign-in listens on it', async () => {
    const s = await serve((h) => ({ asMetadata: { registration_endpoint: `${h.issuer}/register` } }));
    const opened: URL[] = [];
    const { grant, requests } = browserRecording(opened);
    const c = await connectServer(s.url, { grant, credentials: () => undefined });
    try {
      assert.equal(c.client.source, 'dcr');
      const registered = requests[0]!.client.redirectUris!;
      assert.match(registered[0]!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      assert.equal(registered[1], 'http://127.0.0.1/callback');
      assert.equal(opened[0]!.searchParams.get('redirect_uri'), registered[0], 'exactly the registered URI');
    } finally {
      await c.close();
    }
  });

  it('CIMD when the server supports it and a document URL is configured; DCR is not asked', async () => {
    const s = await serve((h) => ({
      asMetadata: {
        client_id_metadata_document_supported: true,
        registration_endpoint: `${h.issuer}/register`,
      },
    }));
    const opened: URL[] = [];
    const c = await connectServer(s.url, {
      grant: browserRecording(opened).grant,
      credentials: () => undefined,
      clientMetadataUrl: 'https://client.example/sherpa.json',
    });
    try {
      assert.deepEqual([c.client.source, c.client.clientId], ['cimd', 'https://client.example/sherpa.json']);
      assert.equal(opened[0]!.searchParams.get('client_id'), 'https://client.example/sherpa.json');
      assert.equal(s.requests.filter((r) => r.path === '/as/register').length, 0);
    } finally {
      await c.close();
    }
  });
});

describe('registrations kept across connects', () => {
  it('a second connect reuses the dynamic registration instead of registering again', async () => {
    const s = await serve((h) => ({ asMetadata: { registration_endpoint: `${h.issuer}/register` } }));
    const registrations = new Map();
    const details: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await connectServer(s.url, {
        grant: browserRecording([]).grant,
        credentials: () => undefined,
        registrations,
        onStep: (e) => (e.step === 'registration' ? details.push(e.detail) : undefined),
      });
      await c.close();
    }
    assert.equal(s.requests.filter((r) => r.path === '/as/register').length, 1);
    assert.match(details[1]!, /registered before/);
  });
});
