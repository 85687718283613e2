/**
 * The frame every "`sherpa connect` and `sherpa audit` against an outsider Node server" test shares
 * (issue 17 §3): the lab, the server as documented, the audit's tokens, the compatibility-matrix row written
 * once the connect and audit tests measured it, and the deliberately broken `no-audience` variant that the
 * audit must catch. Each test file keeps what is its own: the server's true findings and the evidence for them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { LAB_USERS } from '../../../src/servers/shared/lab-defaults';
import type { CliRun, LabProcess } from '../lab';
import { startLabProcess } from '../lab';
import { recordCompatRow, type CompatRow } from '../compat-matrix';
import {
  assertLabAsFindings,
  auditJson,
  labAuditTokenArgs,
  LAB_AS_FINDINGS,
  SHERPA_VERSION,
  type AuditResult,
} from './lab-audit';
import { startNodeInteropServer, type NodeInteropServer, type NodeInteropServerName } from './node-servers';

const [alice] = LAB_USERS as unknown as [(typeof LAB_USERS)[0]];

export interface ServerSuiteOptions {
  /** What the documented setup gets wrong (id → fail | warn), each asserted from evidence by the test. */
  trueFindings?: Readonly<Record<string, string>>;
  /** The matrix row's own cells; `audit` is built from what was measured. */
  row: (server: NodeInteropServer) => Pick<CompatRow, 'server' | 'serverVersion' | 'notes' | 'test'>;
  /** How the broken variant is broken, for the row ("verifier without aud"). */
  brokenVariant: string;
}

export interface ServerSuite {
  readonly lab: LabProcess;
  readonly server: NodeInteropServer;
  /** The `--…-token-command` options for `sherpa audit`. */
  readonly tokenArgs: string[];
  /** Set by the tests once each part passed; the row is written only when tools and audit are. */
  readonly measured: { signIn: string; tools: string; audit: string; broken: string };
  /** The test's true findings plus the lab's own: what the audit of the documented setup must report. */
  readonly expectedFindings: Record<string, string>;
  /** `sherpa audit` of the documented setup: exactly `expectedFindings` are not passed, the lab's for its reason. */
  auditDocumented(): Promise<AuditResult>;
  /**
   * `sherpa audit` of the `no-audience` variant: token.other-resource fails because the other API's token
   * was ACCEPTED; `more` asserts what else the test knows of it. Records `measured.broken` when all held.
   */
  auditNoAudienceVariant(more?: (r: AuditResult) => void): Promise<void>;
}

/**
 * Registers the suite's before/after hooks in the enclosing `describe` and returns its state (filled in by
 * `before`). The server named `name` is started trusting a fresh `sherpa lab`.
 */
export function outsiderServerSuite(name: NodeInteropServerName, o: ServerSuiteOptions): ServerSuite {
  let lab: LabProcess | undefined;
  let server: NodeInteropServer | undefined;
  let dir: string | undefined;
  let tokenArgs: string[] = [];
  const measured = { signIn: '', tools: '', audit: '', broken: '' };
  const trueFindings = o.trueFindings ?? {};
  const expectedFindings = { ...trueFindings, ...LAB_AS_FINDINGS };
  const started = () => {
    assert.ok(lab && server, 'the suite did not start (see before)');
    return { lab, server };
  };

  before(async () => {
    lab = await startLabProcess();
    server = await startNodeInteropServer(name, lab);
    dir = await mkdtemp(join(tmpdir(), `sherpa-interop-${name}-tokens-`));
    tokenArgs = await labAuditTokenArgs(lab, dir);
  });
  after(async () => {
    await server?.stop();
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (server && measured.tools && measured.audit) {
      const properties = Object.keys(trueFindings);
      recordCompatRow({
        group: 'servers',
        client: 'sherpa connect',
        clientVersion: SHERPA_VERSION,
        labMode: 'sherpa lab',
        signIn: measured.signIn,
        tools: measured.tools,
        audit: `${measured.audit}${properties.length ? ` (${properties.join(', ')}: true properties)` : ''}; broken variant (${o.brokenVariant}) caught: ${measured.broken || 'NOT RUN'}`,
        ...o.row(server),
      });
    }
  });

  return {
    get lab() {
      return started().lab;
    },
    get server() {
      return started().server;
    },
    get tokenArgs() {
      return tokenArgs;
    },
    measured,
    expectedFindings,
    async auditDocumented() {
      const r = await auditJson(started().server.mcpUrl, tokenArgs);
      assert.deepEqual(r.notPassed, expectedFindings);
      assertLabAsFindings(r);
      return r;
    },
    async auditNoAudienceVariant(more) {
      const broken = await startNodeInteropServer(name, started().lab, { variant: 'no-audience' });
      try {
        const r = await auditJson(broken.mcpUrl, tokenArgs);
        assert.equal(r.notPassed['token.other-resource'], 'fail', r.detail('token.other-resource'));
        assert.match(r.detail('token.other-resource'), /ACCEPTED/);
        more?.(r);
        measured.broken = 'token.other-resource';
      } finally {
        await broken.stop();
      }
    },
  };
}

/**
 * `sherpa connect … --call whoami` (connectToLab) succeeded: the server's `initialize` answer names
 * `serverName` at protocol 2025-11-25, it lists its one tool, and whoami's answer is alice's (`why` says
 * what carried her identity through).
 */
export function assertConnectedAsAlice(r: CliRun, serverName: string, why: string): void {
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`✔ initialize +${serverName} .*\\(protocol 2025-11-25\\)`));
  assert.match(r.stdout, /✔ tools +1 tool: whoami/);
  const me = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, string>;
  assert.equal(me.oid, alice.oid, why);
}
