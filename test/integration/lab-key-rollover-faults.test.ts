/**
 * `sherpa keys rotate` against a RUNNING lab, the way Entra rolls its signing keys: the new key is
 * published first, tokens are signed with it only after the delay, and nothing restarts. The lab's secure
 * server accepts the first new-key token after (at most) one JWKS refetch, and old-key tokens keep working.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { postJsonRpc } from '../support/http-request';
import { runCli, startLabProcess, spawnCli, type LabProcess } from '../support/lab';
import { readLabSigningKey, resignLabToken, signInToLab } from '../support/lab-tokens';

const TOOLS_LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
const ACTIVATE_IN_SECONDS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function publishedKids(lab: LabProcess): Promise<string[]> {
  const res = await fetch(`${lab.issuer}/jwks`);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

async function kidOfNewToken(lab: LabProcess, user: 'alice' | 'bob' = 'alice') {
  const { accessToken } = await signInToLab(lab, { user });
  return { token: accessToken, kid: decodeProtectedHeader(accessToken).kid! };
}

describe('lab signing-key rollover without a restart (sherpa keys rotate)', () => {
  let lab: LabProcess;
  before(async () => {
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
  });

  it('publishes the new key first, signs with it after the delay, and the secure server follows', async () => {
    const pid = lab.process.pid;
    const before = await kidOfNewToken(lab);
    assert.equal((await postJsonRpc(lab.secure, TOOLS_LIST, before.token)).status, 200);
    assert.deepEqual(await publishedKids(lab), [before.kid]);

    const cli = spawnCli([
      'keys',
      'rotate',
      '--data-dir',
      lab.dataDir,
      '--activate-in',
      String(ACTIVATE_IN_SECONDS),
    ]);
    let out = '';
    cli.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(cli, 'exit')) as [number];
    assert.equal(code, 0, out);
    const newKid = /New signing key (\S+)/.exec(out)?.[1];
    assert.ok(newKid, out);
    // When the lab starts signing with it, as the CLI scheduled it (not this test's clock).
    const activatesAt = Date.parse(/signing from (\S+)/.exec(out)?.[1] ?? '');
    assert.ok(Number.isFinite(activatesAt), out);

    // Published within a poll or two, while tokens are still signed with the current key.
    let kids: string[] = [];
    for (let i = 0; i < 30 && !kids.includes(newKid); i++) {
      await sleep(100);
      kids = await publishedKids(lab);
    }
    assert.deepEqual(kids, [before.kid, newKid], 'new key published, current key still first');
    const during = await kidOfNewToken(lab, 'bob');
    // Judged by the token's own issue time against the schedule: a token issued inside the publish-ahead
    // window is signed with the current key (a slow machine may already be past it; then the new one).
    // `iat` has whole seconds: only within the second of the switch can either key be right.
    const issuedAt = (decodeJwt(during.token).iat ?? 0) * 1000;
    const expected =
      issuedAt + 1000 <= activatesAt
        ? [before.kid]
        : issuedAt >= activatesAt
          ? [newKid]
          : [before.kid, newKid];
    assert.ok(
      expected.includes(during.kid),
      `kid ${during.kid}, issued at ${new Date(issuedAt).toISOString()}, the new key signs from ${new Date(activatesAt).toISOString()}`,
    );

    await sleep(Math.max(0, activatesAt - Date.now()) + 300);
    const afterRollover = await kidOfNewToken(lab);
    assert.equal(afterRollover.kid, newKid, 'signing with the new key now');
    assert.deepEqual(await publishedKids(lab), [newKid, before.kid], 'old key still published');

    const res = await postJsonRpc(lab.secure, TOOLS_LIST, afterRollover.token);
    assert.equal(res.status, 200, `new-key token accepted: ${res.text}`);
    assert.equal(
      (await postJsonRpc(lab.secure, TOOLS_LIST, during.token)).status,
      200,
      'old-key token still accepted',
    );
    assert.equal(lab.process.pid, pid);
    assert.equal(lab.process.exitCode, null, 'the lab never restarted');
    assert.match(lab.logs(), /signing keys changed/);
  });
});

describe('issue 16: a key withdrawn from the JWKS stops working although its tokens were cached', () => {
  let lab: LabProcess;
  before(async () => {
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
  });

  it('two `sherpa keys rotate` push the old key out; the secure server refuses its cached token', async () => {
    const old = await kidOfNewToken(lab);
    // Verified once, now in the secure server's verified-token cache (its exp is an hour away).
    assert.equal((await postJsonRpc(lab.secure, TOOLS_LIST, old.token)).status, 200);
    assert.equal((await postJsonRpc(lab.secure, TOOLS_LIST, old.token)).status, 200);

    for (let i = 0; i < 2; i++) {
      const run = await runCli(['keys', 'rotate', '--data-dir', lab.dataDir, '--activate-in', '0']);
      assert.equal(run.code, 0, run.stderr);
    }
    // The running lab follows the file (a poll of its JWKS, not a timer): old key no longer published.
    let kids = await publishedKids(lab);
    for (let i = 0; i < 50 && kids.includes(old.kid); i++) {
      await sleep(100);
      kids = await publishedKids(lab);
    }
    assert.equal(kids.length, 2);
    assert.ok(!kids.includes(old.kid), 'the old key left the JWKS');

    // A token signed with the newest key makes the secure server download the JWKS again.
    const newest = await readLabSigningKey(lab.dataDir);
    const fresh = await resignLabToken(old.token, {}, { key: newest.privateKey, kid: newest.kid });
    assert.equal((await postJsonRpc(lab.secure, TOOLS_LIST, fresh)).status, 200);

    // The set changed: the cache is flushed, the old token is verified again and its key is gone.
    const res = await postJsonRpc(lab.secure, TOOLS_LIST, old.token);
    assert.equal(res.status, 401, res.text);
    assert.match(res.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    assert.match(res.headers['www-authenticate'] ?? '', /signed by an unknown key/);
  });
});
