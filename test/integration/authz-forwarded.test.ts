/**
 * The lab's sign-in from a browser on ANOTHER machine (issue 11): the browser reaches only a port
 * forwarder shaped like code-server's `/proxy/PORT/` (test/support/port-forwarding-proxy.ts), never the
 * lab's own ports. The forwarded addresses are registered the way the extension does it, over the real
 * lab process's stdin control channel (src/lab/control-channel.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { discoverAuthorizationServer } from '../../src/core/discovery/as-metadata';
import { loginWithAuthorizationCode } from '../../src/core/grants/authorization-code';
import { startDeviceCodeLogin } from '../../src/core/grants/device-code';
import { LAB_API_CLIENT_ID, LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { AZURE_CLIENT_ID, VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';
import { rawRequest } from '../support/http-request';
import { startLabProcess, type LabProcess } from '../support/lab';
import { LAB_API_SCOPE } from '../support/lab-tokens';
import { onFreePort } from '../support/free-port';
import { startPortForwardingProxy, type PortForwardingProxy } from '../support/port-forwarding-proxy';
import { createRemoteBrowser } from '../support/remote-browser';

const [alice, bob] = [LAB_USERS[0]!, LAB_USERS[1]!];

/** What `vscode.env.asExternalUri` does in code-server: a loopback URL → its /proxy/PORT/ form. */
function toForwarded(proxy: PortForwardingProxy, url: string): string {
  const u = new URL(url);
  return proxy.forwardedBase(Number(u.port)) + (u.pathname + u.search).slice(1);
}

describe('lab sign-in through a port forwarder (remote browser)', () => {
  let lab: LabProcess;
  let proxy: PortForwardingProxy;
  let asPort: number;

  before(async () => {
    [lab, proxy] = await Promise.all([startLabProcess(), startPortForwardingProxy()]);
    asPort = Number(new URL(lab.authorizationServer).port);
  });
  after(async () => {
    await Promise.all([lab?.stop(), proxy?.close()]);
  });

  it('before Sherpa registers the forwarded address, the lab refuses its Host (403, the issue 11 symptom)', async () => {
    const res = await fetch(toForwarded(proxy, `${lab.issuer}/.well-known/openid-configuration`));
    assert.equal(res.status, 403);
    assert.match(await res.text(), /Host header '127\.0\.0\.1:\d+' is not allowed/);
  });

  it('the control channel refuses bad registrations with BAD_ARGUMENT and keeps serving', async () => {
    for (const forward of [
      { internal: 'http://evil.example:7480/', external: proxy.forwardedBase(asPort) },
      { internal: `${lab.authorizationServer}/`, external: 'javascript:alert(1)' },
      { internal: `${lab.authorizationServer}/`, external: `${proxy.forwardedBase(asPort)}?q=1` },
      { internal: `${lab.authorizationServer}/x/`, external: proxy.forwardedBase(asPort) },
      undefined,
    ]) {
      const reply = await lab.control({ id: 7, forward });
      assert.equal(reply.ok, false, JSON.stringify(forward));
      assert.equal(reply.id, 7);
      if (!reply.ok) assert.equal(reply.error.code, 'BAD_ARGUMENT');
    }
    for (const line of ['not json', '[]', '{"id":"x","other":1}', 'x'.repeat(9000)]) {
      const reply = await lab.control(line);
      assert.equal(reply.ok, false, line.slice(0, 20));
    }
    // Still refused: nothing was registered.
    const res = await fetch(toForwarded(proxy, `${lab.issuer}/.well-known/openid-configuration`));
    assert.equal(res.status, 403);
  });

  it('after registration: authorization code + PKCE as alice entirely through the forwarder', async () => {
    const reply = await lab.control({
      id: 1,
      forward: { internal: `${lab.authorizationServer}/`, external: proxy.forwardedBase(asPort) },
    });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    const browser = createRemoteBrowser(proxy.origin);
    const { config } = await discoverAuthorizationServer(lab.issuer, { clientId: VSCODE_CLIENT_ID });
    let redirectUri = '';
    const tokens = await loginWithAuthorizationCode({
      config,
      scopes: ['openid', 'profile', LAB_API_SCOPE],
      resource: lab.secure,
      // What the extension does for a remote browser: the receiver's forwarded address, registered first.
      forwardRedirectUri: async (loopback) => {
        const port = Number(new URL(loopback).port);
        const r = await lab.control({
          id: 2,
          forward: { internal: `http://127.0.0.1:${port}/`, external: proxy.forwardedBase(port) },
        });
        assert.equal(r.ok, true, JSON.stringify(r));
        redirectUri = toForwarded(proxy, loopback);
        return redirectUri;
      },
      openBrowser: async (url) => {
        const page = await browser.signIn(toForwarded(proxy, url.href), alice);
        assert.match(page.body, /Signed in/);
      },
      timeoutMs: 20_000,
    });
    const claims = decodeJwt(tokens.accessToken);
    assert.equal(claims.aud, LAB_API_CLIENT_ID);
    assert.equal(claims.iss, lab.issuer, 'the issuer stays the loopback one: only the browser is forwarded');
    assert.equal(
      claims.preferred_username,
      alice.username + '@' + String(claims.preferred_username).split('@')[1],
    );
    assert.match(redirectUri, new RegExp(`^${proxy.origin}/proxy/\\d+/callback$`));
    // Every hop of the browser went through the forwarder, the code came back to the forwarded callback.
    assert.ok(
      browser.visited.every((u) => u.startsWith(`${proxy.origin}/proxy/`)),
      browser.visited.join('\n'),
    );
    assert.ok(
      browser.visited.some((u) => u.startsWith(`${redirectUri}?code=`)),
      'the callback was reached',
    );
    assert.ok(
      browser.visited.some((u) => /\/interaction\/[^/]+\/login$/.test(u)),
      'the login form was posted',
    );
    // Interaction cookies are scoped under the forwarded prefix, or the browser would never send them back.
    const interactionCookies = browser.setCookies.filter((c) => /^_interaction/.test(c));
    assert.ok(interactionCookies.length > 0);
    for (const c of interactionCookies) assert.match(c, new RegExp(`path=/proxy/${asPort}/`, 'i'), c);
  });

  it('a redirect URI on an unregistered forwarded port is refused (invalid_redirect_uri)', async () => {
    const browser = createRemoteBrowser(proxy.origin);
    const url = new URL(`${lab.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: VSCODE_CLIENT_ID,
      response_type: 'code',
      scope: `openid ${LAB_API_SCOPE}`,
      redirect_uri: `${proxy.origin}/proxy/1/callback`,
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
      state: 's',
    }).toString();
    await assert.rejects(
      browser.signIn(toForwarded(proxy, url.href), alice),
      /HTTP 400[\s\S]*invalid_redirect_uri/,
    );
  });

  it('device code (RFC 8628) as bob: the verification page works at the forwarded address', async () => {
    const { config } = await discoverAuthorizationServer(lab.issuer, { clientId: AZURE_CLIENT_ID });
    const login = await startDeviceCodeLogin({
      config,
      scopes: ['openid', LAB_API_SCOPE],
      resource: lab.secure,
    });
    assert.ok(
      login.verificationUriComplete?.startsWith(lab.authorizationServer),
      'back channel stays on loopback',
    );
    const browser = createRemoteBrowser(proxy.origin);
    const page = await browser.signIn(toForwarded(proxy, login.verificationUriComplete!), bob);
    assert.match(page.body, /You have signed in/);
    const tokens = await login.tokens;
    assert.equal(decodeJwt(tokens.accessToken).aud, LAB_API_CLIENT_ID);
    assert.ok(browser.visited.every((u) => u.startsWith(`${proxy.origin}/proxy/${asPort}/`)));
  });

  it('a foreign Host is still refused, and a client-sent X-Forwarded-Host changes nothing', async () => {
    const direct = new URL(`${lab.issuer}/.well-known/openid-configuration`);
    const rebinding = await rawRequest(direct.href, { headers: { host: 'evil.example' } });
    assert.equal(rebinding.status, 403);
    const spoofed = await fetch(direct, {
      headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    assert.equal(spoofed.status, 200);
    const doc = (await spoofed.json()) as { authorization_endpoint: string };
    assert.equal(doc.authorization_endpoint, `${lab.issuer}/auth`);
  });
});

describe('sherpa lab --browser-url (a lab started by hand, e.g. in a Codespace)', () => {
  it('the named forwarded base is accepted from the start; a malformed one stops the lab with a message', async () => {
    const proxy = await startPortForwardingProxy();
    // The AS port must be known in advance to name its forwarded base: take a free one.
    let port = 0;
    const lab = await onFreePort((p) => {
      port = p;
      return startLabProcess({ args: ['--as-port', String(p), '--browser-url', proxy.forwardedBase(p)] });
    });
    try {
      const res = await fetch(
        `${proxy.forwardedBase(port)}${new URL(lab.issuer).pathname.slice(1)}/.well-known/openid-configuration`,
      );
      assert.equal(res.status, 200);
    } finally {
      await Promise.all([lab.stop(), proxy.close()]);
    }
    await assert.rejects(
      startLabProcess({ args: ['--browser-url', 'ftp://nope/'] }),
      /--browser-url ftp:\/\/nope\/: external must be an http\(s\) URL/,
    );
  });
});
