/**
 * One sentence per kind of network failure, produced by real sockets on this machine only: a closed
 * loopback port, TLS servers on 127.0.0.1 (self-signed, expired, for another name), a server that never
 * answers or hangs up, and a `.invalid` name (RFC 6761 §6.4: resolvers answer NXDOMAIN for it locally).
 * The same failure must read the same through the guarded fetch (`sherpa connect`, the extension) and the
 * audit's probe (`sherpa audit`).
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import { describeStatus } from '../../../../src/core/audit/context';
import { probe } from '../../../../src/core/audit/probe';
import { auditServer } from '../../../../src/core/audit/run-audit';
import { SherpaError } from '../../../../src/core/errors';
import { createGuardedFetch, networkPolicyFor } from '../../../../src/core/net/guarded-fetch';
import {
  classifyNetworkFailure,
  describeAuthorizationRefusal,
  describeNetworkFailure,
  withStartLocalServerHint,
} from '../../../../src/core/net/network-failure';
import { createSelfSignedCertificate } from '../../../support/keyvault-test-server';

/** The SherpaError `run` rejects with (fails the test when it resolves or rejects with something else). */
async function failureOf(run: () => Promise<unknown>): Promise<SherpaError> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof SherpaError, `not a SherpaError: ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

async function viaFetch(url: string, timeoutMs = 10_000): Promise<SherpaError> {
  const f = createGuardedFetch(await networkPolicyFor(url), { timeoutMs });
  return failureOf(() => f(url, { method: 'POST', body: '{}' }));
}

const viaAudit = (url: string, timeoutMs = 10_000) => failureOf(() => auditServer(url, { timeoutMs }));

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const close = (server: net.Server) => new Promise((r) => server.close(r));

/** An ECDSA certificate for `dnsNames` valid between the two dates, self-signed. */
async function certificate(dnsNames: string[], notBefore: Date, notAfter: Date) {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${dnsNames[0]}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  // PEM for tls.createServer, made by node:crypto from the key generated above (no key text in the repo).
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { cert: cert.toString('pem'), key };
}

/** The error a TLS client that trusts `ca` gets from the server at `port` when it asks for `servername`. */
function tlsErrorOf(port: number, ca: string, servername: string): Promise<Error> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername });
    socket.once('secureConnect', () => {
      socket.destroy();
      reject(new Error('the handshake succeeded'));
    });
    socket.once('error', resolve);
  });
}

describe('network failures: one sentence per kind, the same in connect and audit', () => {
  it('a closed loopback port: nothing accepting connections, and "Is the server running?"', async () => {
    const server = http.createServer();
    const port = await listen(server);
    await close(server); // just free, now closed: nothing listens there
    const url = `http://127.0.0.1:${port}/mcp`;
    const fromFetch = await viaFetch(url);
    const fromAudit = await viaAudit(url);
    for (const e of [fromFetch, fromAudit]) {
      assert.equal(e.code, 'SERVER_UNREACHABLE');
      assert.equal(e.details?.networkFailure, 'refused');
      assert.equal(e.details?.code, 'ECONNREFUSED');
      assert.equal(e.message, `Nothing is accepting connections at 127.0.0.1:${port}.`);
      assert.match(e.hint ?? '', /^Is the server running\? For the local lab, run `sherpa lab`/);
    }
    // A later probe of the audit that gets no answer says it in a finding's detail the same way.
    assert.equal(
      describeStatus(await probe(url, {})),
      `no answer (nothing is accepting connections at 127.0.0.1:${port})`,
    );
    // The extension names its own command for the same next step; the sentence stays.
    const editor = withStartLocalServerHint(fromFetch, 'Start the local lab with "Start Local Lab".');
    assert.ok(editor instanceof SherpaError);
    assert.equal(editor.message, fromFetch.message);
    assert.equal(editor.hint, 'Start the local lab with "Start Local Lab".');
  });

  it('refused away from loopback does not ask whether the server is running', () => {
    const d = describeNetworkFailure('refused', 'https://mcp.example.com:8443/mcp');
    assert.equal(d.message, 'Nothing is accepting connections at mcp.example.com:8443.');
    assert.doesNotMatch(d.hint, /running/);
    // Every kind: one sentence naming the host once, no URL, no platform code, one next step.
    for (const kind of [
      'refused',
      'name-not-found',
      'tls-untrusted',
      'tls-expired',
      'tls-hostname',
      'tls',
      'timed-out',
      'connection-lost',
      'unreachable',
    ] as const) {
      const w = describeNetworkFailure(kind, 'https://mcp.example.com/mcp');
      assert.equal(w.message.split('mcp.example.com').length, 2, `${kind}: host named once`);
      assert.doesNotMatch(`${w.message} ${w.hint}`, /https?:\/\/|\bE[A-Z]{4,}\b|RFC|CIMD/, kind);
      assert.match(w.message, /^[A-Z].*\.$/, `${kind}: a sentence`);
      assert.doesNotMatch(w.message, /\. /, `${kind}: one sentence`);
    }
  });

  it('an unresolvable .invalid name: not found, from the resolver on this machine', async () => {
    const url = 'https://sherpa-network-failure-test.invalid/mcp';
    for (const e of [await viaFetch(url), await viaAudit(url)]) {
      assert.equal(e.details?.networkFailure, 'name-not-found');
      assert.equal(e.message, 'The name sherpa-network-failure-test.invalid could not be found.');
      assert.doesNotMatch(e.hint ?? '', /running/);
    }
  });

  describe('TLS', () => {
    let selfSigned: https.Server;
    let port: number;
    before(async () => {
      selfSigned = https.createServer(createSelfSignedCertificate(), (_req, res) => res.end('{}'));
      port = await listen(selfSigned);
    });
    after(() => close(selfSigned));

    it('a self-signed certificate: not from an authority this machine trusts', async () => {
      const url = `https://127.0.0.1:${port}/mcp`;
      for (const e of [await viaFetch(url), await viaAudit(url)]) {
        assert.equal(e.details?.networkFailure, 'tls-untrusted', String(e.details?.code));
        assert.equal(
          e.message,
          `The certificate of 127.0.0.1:${port} is not from an authority this machine trusts.`,
        );
        assert.match(e.hint ?? '', /NODE_EXTRA_CA_CERTS/);
      }
    });

    it('an expired certificate and one for another name', async () => {
      const day = 24 * 3600 * 1000;
      const expired = await certificate(
        ['localhost'],
        new Date(Date.now() - 30 * day),
        new Date(Date.now() - day),
      );
      const other = await certificate(
        ['other.example'],
        new Date(Date.now() - day),
        new Date(Date.now() + day),
      );
      for (const [cert, kind] of [
        [expired, 'tls-expired'],
        [other, 'tls-hostname'],
      ] as const) {
        const server = tls.createServer(cert, (s) => s.end());
        const p = await listen(server);
        try {
          const failure = classifyNetworkFailure(await tlsErrorOf(p, cert.cert, 'localhost'));
          assert.equal(failure?.kind, kind, JSON.stringify(failure));
        } finally {
          await close(server);
        }
      }
    });

    it('https to a server that speaks plain http: no secure connection', async () => {
      const plain = http.createServer((_req, res) => res.end('{}'));
      const p = await listen(plain);
      try {
        const e = await viaFetch(`https://127.0.0.1:${p}/mcp`);
        assert.equal(e.details?.networkFailure, 'tls', String(e.details?.code));
        assert.equal(e.message, `A secure connection to 127.0.0.1:${p} could not be set up.`);
      } finally {
        await close(plain);
      }
    });
  });

  it('a server that accepts and never answers: timed out, naming the bound', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    const port = await listen(silent);
    try {
      const url = `http://127.0.0.1:${port}/mcp`;
      for (const e of [await viaFetch(url, 300), await viaAudit(url, 300)]) {
        assert.equal(e.details?.networkFailure, 'timed-out');
        assert.equal(e.message, `No answer came from 127.0.0.1:${port} within 300 ms.`);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await close(silent);
    }
  });

  it('a server that hangs up: the connection was closed before it answered', async () => {
    const rude = net.createServer((s) => s.destroy());
    const port = await listen(rude);
    try {
      const url = `http://127.0.0.1:${port}/mcp`;
      for (const e of [await viaFetch(url), await viaAudit(url)]) {
        assert.equal(e.details?.networkFailure, 'connection-lost', String(e.details?.code));
        assert.equal(e.message, `The connection to 127.0.0.1:${port} was closed before it answered.`);
      }
    } finally {
      await close(rude);
    }
  });

  it('finds the code inside fetch wrappers and AggregateErrors; anything else is not a network failure', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const wrapped = new TypeError('fetch failed', { cause: new AggregateError([refused], 'all failed') });
    assert.deepEqual(classifyNetworkFailure(wrapped), { kind: 'refused', code: 'ECONNREFUSED' });
    assert.equal(classifyNetworkFailure(new SherpaError('UNSAFE_URL', 'refused')), undefined);
    assert.equal(classifyNetworkFailure(new Error('HTTP 500')), undefined);
    assert.equal(classifyNetworkFailure(undefined), undefined);
  });

  it('refused by the authorization server: one sentence per step, its host once, what it said quoted', () => {
    const issuer = 'https://login.example.com/tenant/v2.0';
    assert.equal(
      describeAuthorizationRefusal('authorization-request', 'invalid_client: Client not found', {
        issuer,
        status: 400,
      }),
      'The authorization server at login.example.com refused the sign-in request (HTTP 400: invalid_client: Client not found) before any sign-in page.',
    );
    assert.equal(
      describeAuthorizationRefusal('token', 'invalid_grant'),
      'The authorization server refused to issue a token (invalid_grant).',
    );
    const registration = describeAuthorizationRefusal('registration', 'invalid_client_metadata\u001b[2J', {
      issuer,
    });
    assert.equal(
      registration.replace(/[^\x20-\x7e]/g, '?'),
      registration,
      'what the server said is made printable',
    );
    assert.doesNotMatch(registration, /RFC|dynamic|CIMD/);
  });
});
