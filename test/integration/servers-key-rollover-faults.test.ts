/**
 * Signing-key rollover and an authorization server that goes away, against the secure server as a real
 * process. The issuer here is a small JWKS server whose key set and health the test controls (keys made
 * with jose per run): a new key published right after the server's last download, the issuer refusing
 * connections, and the issuer coming back. Each test starts its own issuer and server process: none
 * depends on keys, downloads or an outage another test left behind (any order, or alone, gives the same
 * path).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { LAB_API_CLIENT_ID, LAB_TENANT_ID, LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { postJsonRpc } from '../support/http-request';
import { secureServerEnv, startServerProcess, type ServerProcess } from '../support/server-process';

const TOOLS_LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
const COOLDOWN_MS = 1500;
const MAX_AGE_MS = 800;

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function createKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** A JWKS endpoint with a published key list, a fetch counter and an on/off switch. */
async function startRotatingIssuer() {
  const published: SigningKey[] = [];
  let fetches = 0;
  let refused = 0;
  let down = false;
  const server = http.createServer((req, res) => {
    if (down) {
      refused++;
      return void req.socket.destroy(); // like a crashed upstream: connection reset
    }
    fetches++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/${LAB_TENANT_ID}/v2.0`;
  const alice = LAB_USERS[0]!;
  return {
    issuer,
    jwksUri: `${origin}/keys`,
    fetches: () => fetches,
    /** Requests that reached the issuer while it was down (each one reset). */
    refusedAttempts: () => refused,
    publish: (k: SigningKey) => void published.unshift(k),
    setDown: (value: boolean) => void (down = value),
    mint: (k: SigningKey, jti: string) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: issuer,
        aud: LAB_API_CLIENT_ID,
        tid: LAB_TENANT_ID,
        oid: alice.oid,
        scp: 'access_as_user',
        azp: 'aebc6443-996d-45c2-90f0-388ff96faa56',
        jti,
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: k.kid })
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 3600)
        .sign(k.privateKey);
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function secureEnv(
  issuer: Awaited<ReturnType<typeof startRotatingIssuer>>,
  dataDir: string,
  extra: NodeJS.ProcessEnv,
) {
  return secureServerEnv(issuer, dataDir, {
    SHERPA_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
    SHERPA_JWKS_MAX_AGE_MS: String(MAX_AGE_MS),
    ...extra,
  });
}

/**
 * A fresh issuer publishing key A and a secure server process on it, for the one test `t`: stopped (and
 * its log checked: no 5xx but 503, no token) when the test ends.
 */
async function startRollover(t: TestContext, extra: NodeJS.ProcessEnv = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'sherpa-rollover-'));
  const issuer = await startRotatingIssuer();
  const keyA = await createKey('key-a');
  issuer.publish(keyA);
  t.after(async () => {
    await issuer.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const server = await startServerProcess('src/servers/secure/main.ts', secureEnv(issuer, dataDir, extra));
  t.after(() => server.stop());
  return { issuer, keyA, server };
}

/** The server never answered 5xx other than 503 and never logged a token. */
function assertCleanLog(server: ServerProcess): void {
  const log = server.stderr();
  assert.match(log, /\S/, 'the server logged its requests');
  assert.doesNotMatch(log, /unhandled error/);
  assert.doesNotMatch(log, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
}

describe('secure server: signing-key rollover and issuer outages (real process)', () => {
  it('a key published right after a download: the request waits for the one refetch and gets 200', async (t) => {
    const { issuer, keyA, server } = await startRollover(t);
    const first = await postJsonRpc(server.url, TOOLS_LIST, await issuer.mint(keyA, 'a-0'));
    assert.equal(first.status, 200);
    const fetchesAfterFirst = issuer.fetches();
    const keyB = await createKey('key-b0');
    issuer.publish(keyB);
    const started = Date.now();
    const tokens = await Promise.all([1, 2, 3, 4, 5].map((i) => issuer.mint(keyB, `b0-${i}`)));
    const replies = await Promise.all(tokens.map((t) => postJsonRpc(server.url, TOOLS_LIST, t)));
    const tookMs = Date.now() - started;
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
    // The hold is the subject: bounded by the configured wait (max wait = the cooldown), checked with room
    // for a loaded machine; that the five shared one download is the counter below.
    assert.ok(tookMs < 3 * COOLDOWN_MS, `held about one cooldown, not more: ${tookMs} ms`);
    assert.equal(issuer.fetches(), fetchesAfterFirst + 1, 'five new-kid requests, one refetch');
    assertCleanLog(server);
  });

  it('with holding off (max wait 0), such a request is 503 + Retry-After (no sign-in loop), then 200 after one refetch', async (t) => {
    // Same issuer, but an unknown kid inside the cooldown is never held: 503 + Retry-After at once.
    const { issuer, keyA, server: noWait } = await startRollover(t, { SHERPA_JWKS_MAX_WAIT_MS: '0' });
    // Everything slow (an RSA key, two signatures) before the download: between the download and the
    // early request nothing may take a cooldown, or the server may rightly refetch and answer 200.
    const keyB = await createKey('key-b');
    const tokenA = await issuer.mint(keyA, 'a-1');
    const tokenB = await issuer.mint(keyB, 'b-1');
    await sleep(COOLDOWN_MS + 100);
    const first = await postJsonRpc(noWait.url, TOOLS_LIST, tokenA);
    assert.equal(first.status, 200);
    const fetchesAfterFirst = issuer.fetches();

    issuer.publish(keyB); // rotation right after the server's download: it may not refetch yet
    const early = await postJsonRpc(noWait.url, TOOLS_LIST, tokenB);
    assert.equal(early.status, 503, early.text);
    assert.equal(early.json<{ code: string }>().code, 'signing_key_pending');
    assert.equal(
      early.headers['www-authenticate'],
      undefined,
      'no challenge: the client must not sign in again',
    );
    const retryAfter = Number(early.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= Math.ceil(COOLDOWN_MS / 1000), `Retry-After ${retryAfter}`);
    assert.equal(issuer.fetches(), fetchesAfterFirst, 'no refetch inside the cooldown');

    await sleep(retryAfter * 1000);
    const retried = await postJsonRpc(noWait.url, TOOLS_LIST, tokenB);
    assert.equal(retried.status, 200, retried.text);
    assert.equal(issuer.fetches(), fetchesAfterFirst + 1, 'exactly one refetch picked up the new key');
    const old = await postJsonRpc(noWait.url, TOOLS_LIST, await issuer.mint(keyA, 'a-2'));
    assert.equal(old.status, 200, 'the previous key still verifies');
    assertCleanLog(noWait);
  });

  it('a kid that a fresh download does not have either is a 401, not a 503', async (t) => {
    const { issuer, keyA, server } = await startRollover(t);
    // The server's own download first, then past its cooldown: the stranger's kid gets a fresh download.
    assert.equal((await postJsonRpc(server.url, TOOLS_LIST, await issuer.mint(keyA, 'a-3'))).status, 200);
    const fetchesBefore = issuer.fetches();
    await sleep(COOLDOWN_MS + 100);
    const stranger = await createKey('never-published');
    const res = await postJsonRpc(server.url, TOOLS_LIST, await issuer.mint(stranger, 's-1'));
    assert.equal(res.status, 401);
    assert.equal(res.json<{ code: string }>().code, 'unknown_signing_key');
    assert.equal(issuer.fetches(), fetchesBefore + 1, 'judged on a fresh download');
    assertCleanLog(server);
  });

  it('issuer down: held keys keep verifying past their max age, an unknown kid is a fast 503, recovery needs no restart', async (t) => {
    const { issuer, keyA, server } = await startRollover(t);
    // Key A held: verified once while the issuer is up.
    assert.equal((await postJsonRpc(server.url, TOOLS_LIST, await issuer.mint(keyA, 'a-up'))).status, 200);
    issuer.setDown(true);
    await sleep(MAX_AGE_MS + 200); // the key set is now stale: the server will try (and fail) to refresh
    const fresh = await postJsonRpc(server.url, TOOLS_LIST, await issuer.mint(keyA, 'a-down-1'));
    assert.equal(fresh.status, 200, `a never-seen token signed by a held key: ${fresh.text}`);

    const attemptsWhileDown = issuer.refusedAttempts();
    assert.ok(attemptsWhileDown >= 1, 'the stale key set made the server try the issuer');

    const keyC = await createKey('key-c');
    const unknown = await postJsonRpc(server.url, TOOLS_LIST, await issuer.mint(keyC, 'c-1'));
    assert.equal(unknown.status, 503, unknown.text);
    assert.equal(unknown.json<{ code: string }>().code, 'signing_keys_unavailable');
    assert.ok(Number(unknown.headers['retry-after']) >= 1);
    // "Fast" means it did not wait on the issuer again: no new attempt after the failure just seen.
    assert.equal(issuer.refusedAttempts(), attemptsWhileDown, 'answered from the held keys alone');

    issuer.publish(keyC);
    issuer.setDown(false);
    await sleep(Number(unknown.headers['retry-after']) * 1000);
    const recovered = await postJsonRpc(server.url, TOOLS_LIST, await issuer.mint(keyC, 'c-2'));
    assert.equal(recovered.status, 200, recovered.text);
    assertCleanLog(server);
  });
});
