/**
 * `sherpa connect` and `sherpa audit` against a server nobody here wrote (issue 17 §3a): the official
 * TypeScript SDK v2 (`@modelcontextprotocol/server` 2.4.0 with `@modelcontextprotocol/express`), protected as
 * its Express adapter documents — `mcpAuthMetadataRouter` (Protected Resource Metadata naming the lab) and
 * `requireBearerAuth` with the application's `OAuthTokenVerifier` (jose against the lab's JWKS, issuer and
 * `aud` checked). Server code: test/interop/sdk-server-v2/server.mjs, run against scripts/tools-lock/sdk-server-2.4.0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB_USERS } from '../../../src/lab/lab-defaults';
import { startLabProcess, type LabProcess } from '../../support/lab';
import { startNodeInteropServer, type NodeInteropServer } from '../../support/interop/node-servers';
import {
  auditJson,
  connectToLab,
  labAuditTokenArgs,
  SHERPA_VERSION,
  type AuditResult,
  LAB_AS_FINDINGS,
  assertLabAsFindings,
} from '../../support/interop/lab-audit';
import { recordCompatRow } from '../../support/compat-matrix';

const [alice] = LAB_USERS as unknown as [(typeof LAB_USERS)[0]];

describe('TypeScript SDK v2 server (requireBearerAuth + PRM) trusting sherpa lab', () => {
  let lab: LabProcess;
  let server: NodeInteropServer;
  let dir: string;
  let tokenArgs: string[];
  const measured = { signIn: '', tools: '', audit: '', broken: '' };

  before(async () => {
    lab = await startLabProcess();
    server = await startNodeInteropServer('sdk-server-v2', lab);
    dir = await mkdtemp(join(tmpdir(), 'sherpa-interop-sdk2-'));
    tokenArgs = await labAuditTokenArgs(lab, dir);
  });
  after(async () => {
    await server?.stop();
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (measured.tools && measured.audit) {
      recordCompatRow({
        group: 'servers',
        client: 'sherpa connect',
        clientVersion: SHERPA_VERSION,
        server: 'TypeScript SDK v2 server (@modelcontextprotocol/server + express)',
        serverVersion: `${server.packageVersion}, @modelcontextprotocol/express@2.0.2`,
        labMode: 'sherpa lab',
        signIn: measured.signIn,
        tools: measured.tools,
        audit: `${measured.audit}; broken variant (verifier without aud) caught: ${measured.broken || 'NOT RUN'}`,
        notes:
          'challenge scope is the bare token scope name (requiredScopes), PRM names the api:// scope; resource omitted (the Entra-shaped lab knows the API by its App ID URI)',
        test: 'test/integration/interop/sdk-server-v2.test.ts',
      });
    }
  });

  test('sherpa connect signs in, lists the tools and calls whoami', async () => {
    const r = await connectToLab(server.mcpUrl);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✔ probe +401 Bearer .*resource_metadata=/);
    assert.match(r.stdout, /✔ registration pre-registered client/);
    assert.match(r.stdout, /✔ initialize +sdk-v2-interop .*\(protocol 2025-11-25\)/);
    assert.match(r.stdout, /✔ tools +1 tool: whoami/);
    const me = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, string>;
    assert.equal(me.oid, alice.oid, 'whoami: the SDK passed alice through to the tool');
    measured.signIn = 'ok — pre-registered (lab), PKCE, no resource, api:// scope';
    measured.tools = 'ok — tools/list (1), tools/call whoami';
  });

  let report: AuditResult;
  test('sherpa audit: every finding about the server passes — the documented setup is sound', async () => {
    report = await auditJson(server.mcpUrl, tokenArgs);
    assert.deepEqual(report.notPassed, LAB_AS_FINDINGS);
    assertLabAsFindings(report);
    // What made it pass, from the audit's evidence:
    assert.match(report.detail('unauth.challenge-scope'), /scope="access_as_user"/);
    assert.match(report.detail('token.other-resource'), /refused \(401/);
    assert.match(report.detail('token.expired'), /refused \(401/);
    // requireBearerAuth's 403 insufficient_scope challenge (RFC 6750 §3.1).
    assert.match(report.detail('token.insufficient-scope'), /403/);
    // createMcpExpressApp's default localhost Host/Origin validation (DNS rebinding protection).
    assert.match(report.detail('token.foreign-origin'), /refused \(403\)/);
    assert.match(report.detail('token.foreign-host'), /refused \(403\)/);
    measured.audit = report.counts;
  });

  test('the broken variant (the verifier checks no aud) is caught: token.other-resource fails', async () => {
    const broken = await startNodeInteropServer('sdk-server-v2', lab, { variant: 'no-audience' });
    try {
      const r = await auditJson(broken.mcpUrl, tokenArgs);
      assert.equal(r.notPassed['token.other-resource'], 'fail', r.detail('token.other-resource'));
      assert.match(r.detail('token.other-resource'), /ACCEPTED/);
      assert.deepEqual(r.notPassed, { ...LAB_AS_FINDINGS, 'token.other-resource': 'fail' });
      measured.broken = 'token.other-resource';
    } finally {
      await broken.stop();
    }
  });
});
