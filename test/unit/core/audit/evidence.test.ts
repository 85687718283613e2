import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createExchangeRecorder, redactEvidence } from '../../../../src/core/audit/evidence';
import { probe } from '../../../../src/core/audit/probe';
import { createGuardedFetch, LOOPBACK_POLICY } from '../../../../src/core/net/guarded-fetch';

// Shapes of real secrets, built here from made-up claims (no token text in the repo).
const b64url = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const JWT = `${b64url({ alg: 'RS256', kid: 'k1' })}.${b64url({ sub: 'alice', aud: 'api://x' })}.${b64url('signature-bytes-here')}`;
const ALG_NONE = `${b64url({ alg: 'none' })}.${b64url({ sub: 'alice' })}.`;
const OPAQUE = 'opaque-static-Key-9f8e7d6c5b4a';

describe('redactEvidence', () => {
  it('masks every JWT, signed or alg:none, wherever it is in a body', () => {
    const out = redactEvidence(
      `{"echo":"${JWT}","none":"${ALG_NONE}","text":"Bearer ${JWT} and ${ALG_NONE}x"}`,
    );
    assert.equal(out.includes('eyJ'), false, out);
  });
  it('masks OAuth secrets in forms, URLs and JSON; keeps error codes and harmless fields', () => {
    const form = redactEvidence(
      'grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&code_verifier=abcdefgh1234&client_secret=s3cr3t-value',
    );
    assert.equal(/SplxlOBeZQQYbYS6WxSbIA|abcdefgh1234|s3cr3t-value/.test(form), false, form);
    assert.match(form, /grant_type=authorization_code/);
    const url = redactEvidence('https://as.example/cb?state=xyz&code=AUTHCODE123456&iss=https%3A%2F%2Fas');
    assert.equal(url.includes('AUTHCODE123456'), false);
    assert.match(url, /state=xyz/);
    const json = redactEvidence(
      '{"access_token":"at-value-123456","refresh_token":"rt-value-123456","id_token":"it-value","token_type":"Bearer","code":"invalid_token","client_secret":"cs-value-1234"}',
    );
    assert.equal(/at-value|rt-value|it-value|cs-value/.test(json), false, json);
    assert.match(json, /"code":"invalid_token"/, 'an error name stays: it is the evidence');
    assert.equal(
      redactEvidence('{"code":"0.AXkA-authorization-code_42"}').includes('authorization-code'),
      false,
    );
  });
  it('masks the exact values it is given (an opaque static token has no shape)', () => {
    assert.equal(redactEvidence(`key ${OPAQUE} echoed`, [OPAQUE]).includes(OPAQUE), false);
  });
});

describe('createExchangeRecorder', () => {
  it('redacts credentials in headers, keeps the scheme, labels a verbatim Authorization, cuts bodies after redaction', () => {
    const rec = createExchangeRecorder({ maxBodyChars: 40, secrets: [OPAQUE] });
    rec.record({
      via: 'probe',
      method: 'POST',
      url: 'http://127.0.0.1:1/mcp',
      requestHeaders: { authorization: `Bearer ${JWT}`, cookie: 'sid=abc123456', 'x-api-key': OPAQUE },
      requestBody: `{"pad":"${'a'.repeat(30)}","t":"${JWT}"}`,
      status: 401,
      responseHeaders: {
        'set-cookie': 'sid=zzz; HttpOnly',
        'www-authenticate': 'Bearer error="invalid_token"',
      },
      responseBody: `${'b'.repeat(35)}${JWT}`,
    });
    rec.record({
      via: 'probe',
      method: 'POST',
      url: 'http://127.0.0.1:1/mcp',
      requestHeaders: { authorization: ['bearer x', 'Bearer y'] },
      authorizationLabel: 'two Authorization headers',
      error: 'ECONNRESET',
    });
    const [a, b] = rec.exchanges();
    const all = JSON.stringify(rec.exchanges());
    for (const secret of [JWT, OPAQUE, 'abc123456', 'zzz', JWT.slice(0, 30), JWT.slice(-20)])
      assert.equal(all.includes(secret), false, `${secret} leaked: ${all}`);
    assert.equal(a!.request.headers.authorization, 'Bearer <redacted>');
    assert.equal(a!.response!.headers['www-authenticate'], 'Bearer error="invalid_token"');
    assert.equal(a!.truncated, true);
    assert.match(a!.curl, /^curl -i -X POST .*'http:\/\/127\.0\.0\.1:1\/mcp'$/);
    assert.equal(
      b!.request.headers.authorization,
      '<two Authorization headers>, <two Authorization headers>',
    );
    assert.equal(b!.error, 'ECONNRESET');
    assert.equal(b!.response, undefined);
  });

  it('maps a finding to the probes it quotes, else to what was fetched since the previous finding', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/meta')
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":"x"}');
      else res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const rec = createExchangeRecorder();
      const observe = {
        observe: (raw: Parameters<typeof rec.record>[0], e: object) => rec.link(e as never, rec.record(raw)),
      };
      const p1 = await probe(`${base}/mcp`, {}, observe);
      const p2 = await probe(`${base}/mcp`, { rpc: 'tools/list' }, observe);
      rec.onFinding({ id: 'a', status: 'pass', evidence: [p2.evidence] });
      const fetch = createGuardedFetch({ ...LOOPBACK_POLICY, observe: (x) => void rec.record(x) });
      await (await fetch(`${base}/meta`)).text();
      rec.onFinding({ id: 'b', status: 'fail', evidence: [{ request: 'GET /meta' }] });
      assert.deepEqual(
        rec.findings().map((f) => [f.finding, f.exchanges]),
        [
          ['a', ['x002']],
          ['b', ['x001', 'x002', 'x003']],
        ],
      );
      assert.equal(p1.status, 401);
      const meta = rec.exchanges()[2]!;
      assert.equal(meta.via, 'guarded-fetch');
      assert.equal(meta.response?.status, 200);
      assert.equal(meta.response?.body, '{"issuer":"x"}');
    } finally {
      server.close();
    }
  });

  it('the guarded fetch reports a refused URL and a refused redirect as exchanges with the reason', async () => {
    const server = http.createServer((_req, res) =>
      res.writeHead(302, { location: 'http://10.0.0.1/x' }).end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const rec = createExchangeRecorder();
      const fetch = createGuardedFetch(
        { ...LOOPBACK_POLICY, observe: (x) => void rec.record(x) },
        { maxRedirects: 2 },
      );
      await assert.rejects(fetch(`${base}/start`));
      await assert.rejects(fetch('https://169.254.169.254/latest/meta-data'));
      const [redirect, refused] = rec.exchanges();
      assert.equal(redirect!.response?.status, 302);
      assert.match(redirect!.error ?? '', /^UNSAFE_REDIRECT/);
      assert.equal(refused!.response, undefined);
      assert.match(refused!.error ?? '', /^UNSAFE_URL/);
    } finally {
      server.close();
    }
  });
});
