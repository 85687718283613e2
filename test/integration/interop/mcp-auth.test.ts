/**
 * `sherpa connect` and `sherpa audit` against a server nobody here wrote (issue 17 §3c): npm `mcp-auth` 0.2.0
 * protecting a TypeScript SDK v1 server (`@modelcontextprotocol/sdk` 1.32.2 on Express), in the "resource
 * server mode" its documentation recommends — `protectedResources` naming the lab, the PRM router, and
 * `bearerAuth('jwt', { resource, audience })`. Server code: test/interop/mcp-auth/server.mjs, run against
 * scripts/tools-lock/mcp-auth-0.2.0.
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
  LAB_AS_FINDINGS,
  assertLabAsFindings,
} from '../../support/interop/lab-audit';
import { recordCompatRow } from '../../support/compat-matrix';

const [alice] = LAB_USERS as unknown as [(typeof LAB_USERS)[0]];

/** What the documented setup gets wrong, each a true property asserted from the audit's evidence below. */
const TRUE_FINDINGS = {
  // bearerAuth's challenge carries error + resource_metadata, never `scope` (mcp-auth has no option for it).
  'unauth.challenge-scope': 'fail',
  // Neither mcp-auth nor the SDK v1 transport checks Origin or Host on a plain Express app.
  'token.foreign-origin': 'fail',
  'token.foreign-host': 'fail',
  // mcp-auth's 'jwt' mode reads scopes from `scope`/`scopes`, and Entra-shaped tokens carry `scp`: no
  // `requiredScopes` can be set, so a token without access_as_user is accepted.
  'token.insufficient-scope': 'fail',
  // A malformed Authorization header is answered with mcp-auth's own error code, not invalid_token.
  'bearer.malformed': 'warn',
};

describe('mcp-auth (resource server mode) + SDK v1 server trusting sherpa lab', () => {
  let lab: LabProcess;
  let server: NodeInteropServer;
  let dir: string;
  let tokenArgs: string[];
  const measured = { signIn: '', tools: '', audit: '', broken: '' };

  before(async () => {
    lab = await startLabProcess();
    server = await startNodeInteropServer('mcp-auth', lab);
    dir = await mkdtemp(join(tmpdir(), 'sherpa-interop-mcp-auth-'));
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
        server: 'mcp-auth + TypeScript SDK v1 server',
        serverVersion: `${server.packageVersion}, @modelcontextprotocol/sdk@1.32.2`,
        labMode: 'sherpa lab',
        signIn: measured.signIn,
        tools: measured.tools,
        audit: `${measured.audit} (${Object.keys(TRUE_FINDINGS).join(', ')}: true properties); broken variant (no audience, "optional" in its docs) caught: ${measured.broken || 'NOT RUN'}`,
        notes: "'jwt' mode cannot check Entra-shaped scopes (reads scope/scopes, not scp)",
        test: 'test/integration/interop/mcp-auth.test.ts',
      });
    }
  });

  test('sherpa connect signs in, lists the tools and calls whoami', async () => {
    const r = await connectToLab(server.mcpUrl);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /✔ prm +http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp \(challenge\)/,
    );
    assert.match(r.stdout, /✔ initialize +mcp-auth-interop .*\(protocol 2025-11-25\)/);
    assert.match(r.stdout, /✔ tools +1 tool: whoami/);
    const me = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, string>;
    assert.equal(me.oid, alice.oid, "whoami: mcp-auth's req.auth is alice's");
    measured.signIn = 'ok — pre-registered (lab), PKCE, no resource, api:// scope';
    measured.tools = 'ok — tools/list (1), tools/call whoami';
  });

  test('sherpa audit: every finding is a true property of the documented setup', async () => {
    const r = await auditJson(server.mcpUrl, tokenArgs);
    assert.deepEqual(r.notPassed, { ...TRUE_FINDINGS, ...LAB_AS_FINDINGS });
    assertLabAsFindings(r);
    assert.match(r.detail('unauth.challenge-scope'), /no scope parameter/);
    assert.match(r.detail('token.foreign-origin'), /ACCEPTED .*https:\/\/attacker\.example/);
    assert.match(r.detail('token.foreign-host'), /ACCEPTED .*Host: attacker\.example/);
    assert.match(r.detail('token.insufficient-scope'), /ACCEPTED|accepted/);
    assert.match(r.detail('bearer.malformed'), /401 without error="invalid_token"/);
    for (const id of ['token.other-resource', 'token.expired', 'token.attacker-key', 'token.alg-none'])
      assert.match(r.detail(id), /refused \(401/, id);
    measured.audit = r.counts;
  });

  test('the broken variant (no audience, which its docs call optional) is caught: token.other-resource fails', async () => {
    const broken = await startNodeInteropServer('mcp-auth', lab, { variant: 'no-audience' });
    try {
      const r = await auditJson(broken.mcpUrl, tokenArgs);
      assert.equal(r.notPassed['token.other-resource'], 'fail', r.detail('token.other-resource'));
      assert.match(r.detail('token.other-resource'), /ACCEPTED/);
      const { 'token.other-resource': _, ...rest } = r.notPassed;
      assert.deepEqual(rest, { ...TRUE_FINDINGS, ...LAB_AS_FINDINGS }, 'nothing else changes');
      measured.broken = 'token.other-resource';
    } finally {
      await broken.stop();
    }
  });
});
