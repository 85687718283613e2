/**
 * The workshop's demonstrations as functions that return what they observed, shared by `sherpa exploit`
 * and `sherpa story` — story and exploit scaffolding only. What a production command needs lives in its
 * own home: real lab tokens in lab-token.ts, the expired lab token in lab/lab-key.ts, forged tokens in
 * core/token/forge.ts. Each one expects an outcome; PASS means the lab behaved as the lesson says.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { auditServer } from '../core/audit/run-audit';
import type { AuditReport } from '../core/audit/findings';
import { summarize } from '../core/audit/report-format';
import { publicClient } from '../core/client/mcp-authorization';
import { connectServer } from '../core/client/connect-server';
import type { StepListener } from '../core/client/steps';
import { isSherpaError } from '../core/errors';
import { LAB_STATIC_TOKEN, LAB_USERS } from '../servers/shared/lab-defaults';
import { connectMcp } from '../core/mcp/mcp-connect';
import { withChangedClaims } from '../core/token/forge';
import { decodeToken } from '../core/token/token-inspection';
import { VSCODE_CLIENT_ID } from '../core/well-known-ids';
import type { LabTarget } from './lab-target';
import { mintExpiredLabToken } from '../lab/lab-key';
import { cliGrant, getLabApiToken, getOtherApiToken } from './lab-token';
import { countOf } from '../core/plural';

export interface Observation {
  ok: boolean;
  observed: string;
}

/** Calls `tool` on `url` with `token`; reports "accepted (200)" or "refused (401 invalid_token: …)". */
export async function tryToken(
  url: string,
  token: string | undefined,
): Promise<{ accepted: boolean; text: string }> {
  try {
    const session = await connectMcp(url, token ? { accessToken: token } : {});
    try {
      const tools = await session.listTools();
      let who = '';
      if (tools.some((t) => t.name === 'whoami')) {
        const first = (await session.callTool('whoami', {})).content[0];
        who =
          first && first.type === 'text' ? `, whoami: ${first.text.replace(/\s+/g, ' ').slice(0, 70)}` : '';
      }
      return {
        accepted: true,
        text: `accepted (200): tools/list gave ${countOf(tools.length, 'tool')}${who}`,
      };
    } finally {
      await session.close();
    }
  } catch (err) {
    if (!isSherpaError(err)) throw err;
    const status = (err.details?.status as number | undefined) ?? '?';
    const ch = err.details?.challenge as { error?: string; errorDescription?: string } | undefined;
    return {
      accepted: false,
      text: `refused (${status}${ch?.error ? ` ${ch.error}` : ''}${ch?.errorDescription ? `: ${ch.errorDescription}` : ''})`,
    };
  }
}

/**
 * The exploit's privilege grab: alice's oid, the admin role and an `admin` scope written into the
 * payload, header and signature kept — the signature no longer matches (RFC 7515 §5.2 step 8).
 */
export function tamperToken(token: string): string {
  const scp = decodeToken(token).claims.scp;
  return withChangedClaims(token, {
    oid: LAB_USERS[0]!.oid,
    roles: ['Sherpa.Admin'],
    scp: `${String(scp ?? '')} admin`,
  });
}

/** Runs the connect flow on the secure server as a lab user: the "fixed" path working end to end. */
export async function validateSecureConnect(
  lab: LabTarget,
  user: string,
  onStep?: StepListener,
): Promise<Observation> {
  const connected = await connectServer(lab.secure, {
    ...(onStep ? { onStep } : {}),
    credentials: publicClient(VSCODE_CLIENT_ID),
    grant: cliGrant({ user }),
  });
  try {
    const result = await connected.callTool('whoami', {});
    const first = result.content[0];
    const text = first && first.type === 'text' ? first.text : '';
    const oid = LAB_USERS.find((u) => u.username === user)?.oid ?? '?';
    return {
      ok: text.includes(oid),
      observed: `${countOf(connected.tools.length, 'tool')}; whoami → ${text.includes(oid) ? `oid ${oid}` : text.slice(0, 80)}`,
    };
  } finally {
    await connected.close();
  }
}

export { LAB_STATIC_TOKEN };

/** Calls one tool with a bearer and returns its text and whether the server flagged it as an error. */
export async function callToolAs(
  url: string,
  token: string,
  tool: string,
  args: Record<string, unknown>,
): Promise<{ isError: boolean; text: string }> {
  const session = await connectMcp(url, { accessToken: token });
  try {
    const result = await session.callTool(tool, args);
    const first = result.content[0];
    return { isError: result.isError === true, text: first && first.type === 'text' ? first.text : '' };
  } finally {
    await session.close();
  }
}

/** The directory id of a lab user's own record (user_001 = alice, user_002 = bob). */
function recordIdOf(text: string): string | undefined {
  return /"id":\s*"(user_\d+)"/.exec(text)?.[1];
}

/**
 * Waypoints 3–5 in miniature: a valid token says who is calling, not what they may read (per-user
 * check), and the server proves it can read a secret with its own identity without ever returning it.
 */
export async function demonstrateLeastPrivilege(
  lab: LabTarget,
): Promise<Array<Observation & { title: string }>> {
  const out: Array<Observation & { title: string }> = [];
  const alice = (await getLabApiToken(lab, 'alice')).accessToken;
  const bob = (await getLabApiToken(lab, 'bob')).accessToken;

  const leaked = await callToolAs(lab.vulnerable, LAB_STATIC_TOKEN, 'get_user_info', { user_id: 'user_001' });
  out.push({
    title: "vulnerable server: the static token reads alice's record (nobody is checked)",
    ok: !leaked.isError && recordIdOf(leaked.text) === 'user_001',
    observed: leaked.isError ? `refused: ${leaked.text}` : `returned record ${recordIdOf(leaked.text)}`,
  });

  const denied = await callToolAs(lab.secure, bob, 'get_user_info', { user_id: 'user_001' });
  out.push({
    title: "secure server: bob may not read alice's record",
    ok: denied.isError && /denied/i.test(denied.text),
    observed: denied.isError ? `tool error: ${denied.text.slice(0, 70)}` : 'record returned (!)',
  });

  const own = await callToolAs(lab.secure, bob, 'get_user_info', { user_id: 'user_002' });
  out.push({
    title: 'secure server: bob reads his own record',
    ok: !own.isError && recordIdOf(own.text) === 'user_002',
    observed: own.isError ? `tool error: ${own.text}` : `returned record ${recordIdOf(own.text)}`,
  });

  const admin = await callToolAs(lab.secure, alice, 'get_user_info', { user_id: 'user_002' });
  out.push({
    title: "secure server: alice (Sherpa.Admin role) reads bob's record",
    ok: !admin.isError && recordIdOf(admin.text) === 'user_002',
    observed: admin.isError ? `tool error: ${admin.text}` : `returned record ${recordIdOf(admin.text)}`,
  });

  const secret = await callToolAs(lab.secure, bob, 'get_secret_from_vault', { name: 'demo-api-key' });
  let value: string | undefined;
  if (lab.dataDir) {
    const file = JSON.parse(await readFile(join(lab.dataDir, 'secrets.json'), 'utf8')) as {
      secrets: Record<string, { value: string }>;
    };
    value = file.secrets['demo-api-key']?.value;
  }
  const fingerprint = /"fingerprint":\s*"([^"]+)"/.exec(secret.text)?.[1];
  out.push({
    title: 'secure server reads demo-api-key with its own identity and returns metadata only',
    ok: !secret.isError && !!fingerprint && (value === undefined || !secret.text.includes(value)),
    observed: secret.isError
      ? `tool error: ${secret.text}`
      : `fingerprint ${fingerprint}; value ${value === undefined ? 'not checked (no data folder)' : 'absent from the reply'}`,
  });
  return out;
}

/**
 * Waypoint 6 as the audit (the same checks as `sherpa audit` and the extension's Validate Security):
 * the vulnerable server must be named a static-token server that accepts another resource's token; the
 * secure server must pass every MUST with the whole token matrix run.
 */
export async function auditLabServers(lab: LabTarget): Promise<(Observation & { title: string })[]> {
  const valid = (await getLabApiToken(lab)).accessToken;
  const foreign = (await getOtherApiToken(lab)).accessToken;
  if (!lab.dataDir) throw new Error('no lab data folder');
  const expired = await mintExpiredLabToken(lab.dataDir, valid);
  const failing = (r: AuditReport, level?: 'must') =>
    r.findings.filter((f) => f.status === 'fail' && (!level || f.level === level)).map((f) => f.id);
  const vulnerable = await auditServer(lab.vulnerable, {
    tokens: { valid: LAB_STATIC_TOKEN, foreign, expired },
  });
  const secure = await auditServer(lab.secure, { tokens: { valid, foreign, expired } });
  const vFails = failing(vulnerable, 'must');
  const sMust = failing(secure, 'must');
  const matrix = secure.findings.filter((f) => f.id.startsWith('token.') && f.status === 'pass').length;
  return [
    {
      title: 'audit of the vulnerable server: static shared token and confused deputy found',
      ok: vFails.includes('static.shared-token') && vFails.includes('token.other-resource'),
      observed: `${summarize(vulnerable)}; MUST failures: ${vFails.join(', ')}`,
    },
    {
      title: 'audit of the secure server: every MUST passes',
      ok: sMust.length === 0 && matrix >= 8,
      observed: `${summarize(secure)}; ${matrix} token checks passed${sMust.length ? `; MUST failures: ${sMust.join(', ')}` : ''}`,
    },
  ];
}
