/**
 * The guarded fetch's rules with a stand-in for the platform's fetch and DNS (no network): which URLs
 * it refuses, which redirects it follows, how it bounds time and size. The same module against real
 * loopback servers: test/integration/hostile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertUrlAllowed,
  createGuardedFetch,
  guardRefusalOf,
  networkPolicyFor,
  type NetworkPolicy,
} from '../../../../src/core/net/guarded-fetch';
import { isSherpaError } from '../../../../src/core/errors';

const dns: Record<string, string[]> = {
  'mcp.example.com': ['93.184.216.34'],
  'as.example.com': ['93.184.216.35'],
  'rebound.example.com': ['10.0.0.5'],
  'intranet-mcp.corp.example': ['10.1.2.3'],
  // An attacker's DNS listing internal addresses next to a public one (review M1).
  'mixed.evil.example': ['203.0.113.7', '127.0.0.1', '10.0.0.1', '169.254.169.254'],
};
const lookup = async (h: string) => {
  const a = dns[h];
  if (!a) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  return a;
};

const code = (err: unknown) => (isSherpaError(err) ? err.code : String(err));

describe('networkPolicyFor + assertUrlAllowed', () => {
  it('a public server may not lead to loopback, private or link-local addresses', async () => {
    const p = await networkPolicyFor('https://mcp.example.com/mcp', { lookup });
    assert.deepEqual([...p.allowed], []);
    for (const url of [
      'http://127.0.0.1:7480/t/v2.0',
      'https://localhost/x',
      'https://10.0.0.1/x',
      'https://169.254.169.254/latest',
      'https://rebound.example.com/x', // a public-looking name that resolves inside
      'https://metadata.google.internal/',
    ]) {
      await assert.rejects(assertUrlAllowed(url, p), (e) => code(e) === 'UNSAFE_URL', url);
    }
    await assertUrlAllowed('https://as.example.com/t', p);
  });

  it('the lab on loopback may name loopback, nothing internal besides', async () => {
    const p = await networkPolicyFor('http://127.0.0.1:7482/mcp', { lookup });
    assert.deepEqual([...p.allowed], ['loopback']);
    await assertUrlAllowed('http://127.0.0.1:7480/t/v2.0', p);
    await assertUrlAllowed('http://localhost:7480/t/v2.0', p);
    await assert.rejects(assertUrlAllowed('https://10.0.0.1/x', p), (e) => code(e) === 'UNSAFE_URL');
  });

  it('a server on a private network (resolved) may name that network, over https', async () => {
    const p = await networkPolicyFor('https://intranet-mcp.corp.example/mcp', { lookup });
    assert.deepEqual([...p.allowed], ['private']);
    await assertUrlAllowed('https://10.9.9.9/as', p);
    await assert.rejects(assertUrlAllowed('http://10.9.9.9/as', p), (e) => code(e) === 'INSECURE_TRANSPORT');
    await assert.rejects(assertUrlAllowed('https://169.254.169.254/', p), (e) => code(e) === 'UNSAFE_URL');
  });

  it('refuses other schemes and credentials in URLs', async () => {
    const p = await networkPolicyFor('http://127.0.0.1:1/mcp', { lookup });
    for (const [url, c] of [
      ['file:///etc/passwd', 'INSECURE_TRANSPORT'],
      ['ftp://127.0.0.1/', 'INSECURE_TRANSPORT'],
      ['http://user:pw@127.0.0.1/', 'UNSAFE_URL'],
      ['not a url', 'UNSAFE_URL'],
    ]) {
      await assert.rejects(assertUrlAllowed(url!, p), (e) => code(e) === c, url);
    }
  });

  it('a name resolving to public AND internal addresses does not open the internal classes', async () => {
    const p = await networkPolicyFor('https://mixed.evil.example/mcp', { lookup });
    assert.deepEqual([...p.allowed], []);
    for (const url of [
      'http://127.0.0.1:6379/',
      'https://10.0.0.5/admin',
      'https://169.254.169.254/latest',
    ]) {
      await assert.rejects(assertUrlAllowed(url, p), (e) => code(e) === 'UNSAFE_URL', url);
    }
  });

  it('a name our lookup cannot resolve is refused, not left for a second lookup to decide', async () => {
    const p = await networkPolicyFor('https://mcp.example.com/mcp', { lookup });
    await assert.rejects(
      assertUrlAllowed('https://unknown.example.net/x', p),
      (e) => code(e) === 'SERVER_UNREACHABLE',
    );
  });

  it('without a lookup (a proxy resolves names), names are judged by their form only', async () => {
    const p = await networkPolicyFor('https://mcp.example.com/mcp', { resolve: false });
    await assertUrlAllowed('https://rebound.example.com/x', p);
    await assert.rejects(assertUrlAllowed('https://10.0.0.1/x', p), (e) => code(e) === 'UNSAFE_URL');
  });
});

const LOOP: NetworkPolicy = { allowed: new Set(['loopback']), origin: 'http://127.0.0.1' };
type Call = { url: string; init: RequestInit };
function fakeFetch(answers: ((call: Call) => Response)[]) {
  const calls: Call[] = [];
  const f = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const call = { url: String(input instanceof Request ? input.url : input), init };
    calls.push(call);
    const answer = answers[calls.length - 1];
    if (!answer) throw new Error('unexpected request');
    return answer(call);
  }) as typeof fetch;
  return { f, calls };
}
const redirect =
  (location: string, status = 302) =>
  () =>
    new Response(null, { status, headers: { location } });

describe('createGuardedFetch', () => {
  it('never lets the platform follow redirects itself', async () => {
    const { f, calls } = fakeFetch([() => Response.json({ ok: true })]);
    await createGuardedFetch(LOOP, {}, f)('http://127.0.0.1:1/a');
    assert.equal(calls[0]!.init.redirect, 'manual');
  });

  it('refuses a cross-origin redirect', async () => {
    const { f } = fakeFetch([redirect('http://127.0.0.1:2/b')]);
    await assert.rejects(
      createGuardedFetch(LOOP, { maxRedirects: 3 }, f)('http://127.0.0.1:1/a'),
      (e) => code(e) === 'UNSAFE_REDIRECT',
    );
  });

  it('follows same-origin GET redirects up to the limit, not beyond', async () => {
    const ok = fakeFetch([redirect('/b'), () => Response.json({ ok: true })]);
    const res = await createGuardedFetch(LOOP, { maxRedirects: 1 }, ok.f)('http://127.0.0.1:1/a');
    assert.deepEqual(await res.json(), { ok: true });
    assert.equal(ok.calls[1]!.url, 'http://127.0.0.1:1/b');
    const loop = fakeFetch([redirect('/b'), redirect('/c')]);
    await assert.rejects(
      createGuardedFetch(LOOP, { maxRedirects: 1 }, loop.f)('http://127.0.0.1:1/a'),
      (e) => code(e) === 'UNSAFE_REDIRECT',
    );
  });

  it('does not follow a redirect of a POST (a token request is not re-sent elsewhere)', async () => {
    const { f } = fakeFetch([redirect('/token2', 307)]);
    await assert.rejects(
      createGuardedFetch(
        LOOP,
        { maxRedirects: 3 },
        f,
      )('http://127.0.0.1:1/token', { method: 'POST', body: 'x' }),
      (e) => code(e) === 'UNSAFE_REDIRECT',
    );
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    const declared = fakeFetch([
      () => new Response('x'.repeat(10), { headers: { 'content-length': '999999' } }),
    ]);
    await assert.rejects(
      createGuardedFetch(LOOP, { maxBodyBytes: 100 }, declared.f)('http://127.0.0.1:1/'),
      (e) => code(e) === 'RESPONSE_TOO_LARGE',
    );
    const streamed = fakeFetch([() => new Response('y'.repeat(1000))]);
    await assert.rejects(
      createGuardedFetch(LOOP, { maxBodyBytes: 100 }, streamed.f)('http://127.0.0.1:1/'),
      (e) => code(e) === 'RESPONSE_TOO_LARGE',
    );
    const fits = fakeFetch([() => new Response('z'.repeat(100))]);
    assert.equal(
      (await (await createGuardedFetch(LOOP, { maxBodyBytes: 100 }, fits.f)('http://127.0.0.1:1/')).text())
        .length,
      100,
    );
  });

  it('counts an event stream as it flows instead of buffering it', async () => {
    const sse = fakeFetch([
      () =>
        new Response('data: ' + 'q'.repeat(500) + '\n\n', {
          headers: { 'content-type': 'text/event-stream' },
        }),
    ]);
    const res = await createGuardedFetch(
      LOOP,
      { maxBodyBytes: 100, allowEventStream: true },
      sse.f,
    )('http://127.0.0.1:1/');
    assert.equal(res.status, 200);
    await assert.rejects(res.text(), (e) => code(e) === 'RESPONSE_TOO_LARGE');
  });

  it('gives up after the deadline with a clear error', async () => {
    const slow = (async (_i: unknown, init: RequestInit = {}) =>
      new Promise<Response>((_r, reject) =>
        init.signal!.addEventListener('abort', () => reject(init.signal!.reason)),
      )) as typeof fetch;
    await assert.rejects(
      createGuardedFetch(LOOP, { timeoutMs: 50 }, slow)('http://127.0.0.1:1/'),
      (e) => code(e) === 'SERVER_UNREACHABLE',
    );
  });

  it('guardRefusalOf finds a refusal a library wrapped, and nothing in a plain network error', async () => {
    const refusal = await assertUrlAllowed('https://10.0.0.1/', LOOP).catch((e: unknown) => e);
    assert.equal(guardRefusalOf(new TypeError('fetch failed', { cause: refusal })), refusal);
    assert.equal(
      guardRefusalOf(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') })),
      undefined,
    );
  });
});
