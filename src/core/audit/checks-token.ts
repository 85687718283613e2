/**
 * The token matrix: the token the person holds, changed the ways an attacker would change it, each sent
 * once with initialize (non-destructive). RFC 8725 (JWT BCP) §2-§3, RFC 7515 §5.2, RFC 8707, MCP
 * authorization 2025-11-25 §Token Audience Binding and Validation.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { asAlgNone, signWithAttackerKey, withChangedClaims, withoutSignature } from '../token/forge';
import { findBearerChallenge } from '../discovery/www-authenticate';
import { describeStatus, record, send, type AuditContext } from './context';
import { isRpcSuccess, type ProbeResult } from './probe';
import type { CheckKey } from './catalogue';

/** pass when refused (any 4xx), fail when the server answered with a JSON-RPC result. */
function refused(ctx: AuditContext, key: CheckKey, r: ProbeResult, what: string): void {
  const accepted = isRpcSuccess(r);
  record(ctx, key, {
    status: accepted
      ? 'fail'
      : r.status === 'error' || (typeof r.status === 'number' && r.status >= 500)
        ? 'warn'
        : 'pass',
    detail: accepted
      ? `ACCEPTED ${what}`
      : typeof r.status === 'number' && r.status >= 500
        ? `refused with a server error (${r.status}): should be 401`
        : `refused (${describeStatus(r)}${describeChallenge(r)})`,
    evidence: [r.evidence],
  });
}

/** ` invalid_token: The token expired` from the response's Bearer challenge, if any. */
function describeChallenge(r: ProbeResult): string {
  const c = findBearerChallenge(r.headers['www-authenticate']);
  return c?.error ? ` ${c.error}${c.errorDescription ? `: ${c.errorDescription}` : ''}` : '';
}

/** Every check of the matrix, in the order it runs. */
const MATRIX: CheckKey[] = [
  'tokenBaseline',
  'tokenTampered',
  'tokenStripped',
  'tokenAlgNone',
  'tokenAttackerKey',
  'tokenForeignOrigin',
  'tokenForeignHost',
  'tokenOtherResource',
  'tokenExpired',
  'tokenScope',
  'tokenStillWorks',
];

type HeldToken = { value: string; label: string };

/**
 * The matrix, in its steps: the token the person holds must be accepted first (a refusal of a forgery
 * means nothing from a server that refuses everything), then the forgeries, the foreign Origin/Host, the
 * other tokens the person gave, and the held token once more at the end.
 */
export async function runTokenChecks(ctx: AuditContext): Promise<void> {
  const token = ctx.tokens.valid;
  if (!token) {
    for (const k of MATRIX)
      record(ctx, k, {
        status: 'skip',
        detail: 'needs a token you hold (--token-command, or Connect first)',
      });
    runStaticTokenCheck(ctx, undefined);
    return;
  }
  const valid = { value: token, label: 'your token' };
  if (!(await baselineAccepted(ctx, valid))) {
    for (const k of MATRIX.slice(1))
      record(ctx, k, { status: 'skip', detail: 'the token you gave is not accepted' });
    runStaticTokenCheck(ctx, { opaque: !isJwt(token), accepted: false });
    return;
  }
  await runForgeries(ctx, token);
  await runForeignRequestChecks(ctx, valid);
  await runOtherTokenChecks(ctx);
  await runScopeCheck(ctx);
  const after = await send(ctx, { rpc: 'initialize', token: valid });
  record(ctx, 'tokenStillWorks', {
    status: isRpcSuccess(after) ? 'pass' : 'warn',
    detail: isRpcSuccess(after) ? 'still accepted' : `now refused (${describeStatus(after)})`,
    evidence: [after.evidence],
  });
  runStaticTokenCheck(ctx, { opaque: !isJwt(token), accepted: true });
}

/** token.baseline: the held token is accepted (initialize succeeds). */
async function baselineAccepted(ctx: AuditContext, valid: HeldToken): Promise<boolean> {
  const baseline = await send(ctx, { rpc: 'initialize', token: valid });
  const ok = isRpcSuccess(baseline);
  record(ctx, 'tokenBaseline', {
    status: ok ? 'pass' : 'fail',
    detail: ok
      ? 'initialize succeeded'
      : `your token was refused (${describeStatus(baseline)}); the matrix needs an accepted one`,
    evidence: [baseline.evidence],
  });
  return ok;
}

/** The held JWT changed as an attacker would (core/token/forge.ts); skipped for an opaque token. */
async function runForgeries(ctx: AuditContext, token: string): Promise<void> {
  if (!isJwt(token)) {
    for (const k of ['tokenTampered', 'tokenStripped', 'tokenAlgNone', 'tokenAttackerKey'] as const) {
      record(ctx, k, {
        status: 'skip',
        detail: 'your token is opaque (not a JWT): JWT forgeries do not apply',
      });
    }
    return;
  }
  const claims = decodeJwt(token);
  const header = decodeProtectedHeader(token);
  const tampered = withChangedClaims(token, {
    sub: 'attacker',
    roles: ['Sherpa.Admin'],
    scp: `${String(claims.scp ?? '')} admin`.trim(),
  });
  const forged = await signWithAttackerKey(claims, header.kid);
  const cases: [CheckKey, string, string, string][] = [
    ['tokenTampered', tampered, 'payload changed, signature kept', 'a token whose payload was changed'],
    ['tokenStripped', withoutSignature(token), 'signature removed', 'a token without a signature'],
    ['tokenAlgNone', asAlgNone(token), 'alg none', 'an unsigned alg:none token'],
    [
      'tokenAttackerKey',
      forged,
      `re-signed with an attacker key, kid ${header.kid ?? '(none)'}`,
      "a token signed with a key that is not the issuer's",
    ],
  ];
  for (const [key, value, label, what] of cases)
    refused(ctx, key, await send(ctx, { rpc: 'initialize', token: { value, label } }), what);
}

/** The held token sent from a foreign Origin and under a foreign Host (DNS rebinding, browsers). */
async function runForeignRequestChecks(ctx: AuditContext, valid: HeldToken): Promise<void> {
  const origin = await send(ctx, {
    rpc: 'initialize',
    token: valid,
    headers: { origin: 'https://attacker.example' },
  });
  refused(
    ctx,
    'tokenForeignOrigin',
    origin,
    'your valid token from https://attacker.example (DNS rebinding / browser attack)',
  );
  const host = await send(ctx, { rpc: 'initialize', token: valid, headers: { host: 'attacker.example' } });
  refused(ctx, 'tokenForeignHost', host, 'your valid token under Host: attacker.example');
}

/** The other tokens the person gave: one for another resource, an expired one. */
async function runOtherTokenChecks(ctx: AuditContext): Promise<void> {
  for (const [key, value, label, what] of [
    [
      'tokenOtherResource',
      ctx.tokens.foreign,
      'token for another resource',
      'a token issued for ANOTHER resource (confused deputy)',
    ],
    ['tokenExpired', ctx.tokens.expired, 'expired token', 'an expired token'],
  ] as const) {
    if (!value)
      record(ctx, key, {
        status: 'skip',
        detail: `no ${label} at hand (--${key === 'tokenExpired' ? 'expired' : 'foreign'}-token-command)`,
      });
    else refused(ctx, key, await send(ctx, { rpc: 'initialize', token: { value, label } }), what);
  }
}

/** token.insufficient-scope: 403 insufficient_scope with the scope to step up to (RFC 6750 §3.1). */
async function runScopeCheck(ctx: AuditContext): Promise<void> {
  if (!ctx.tokens.narrow) {
    record(ctx, 'tokenScope', {
      status: 'skip',
      detail: 'no token without the required scope at hand (--narrow-token-command)',
    });
    return;
  }
  const r = await send(ctx, {
    rpc: 'initialize',
    token: { value: ctx.tokens.narrow, label: 'token without the required scope' },
  });
  const wa = r.headers['www-authenticate'] ?? '';
  const good = r.status === 403 && /insufficient_scope/.test(wa) && /scope=/.test(wa);
  record(ctx, 'tokenScope', {
    status: good ? 'pass' : isRpcSuccess(r) ? 'fail' : 'warn',
    detail: good
      ? `403 ${wa}`
      : isRpcSuccess(r)
        ? 'ACCEPTED a token that lacks the required scope'
        : `refused with ${describeStatus(r)}${wa ? ` ${wa}` : ''}: clients cannot step up without 403 insufficient_scope + scope`,
    evidence: [r.evidence],
  });
}

/**
 * A server protected by a credential that no OAuth discovery leads to is protected by a shared secret:
 * nothing a client can obtain per user, nothing that expires (MCP01). Decided from what the audit saw.
 */
function runStaticTokenCheck(
  ctx: AuditContext,
  held: { opaque: boolean; accepted: boolean } | undefined,
): void {
  const protectedBy401 = ctx.findings.some((f) => f.id === 'unauth.initialize-401' && f.status === 'pass');
  // The evidence is what decided it: the metadata that is (not) there, and the token that was accepted.
  const evidence = ctx.findings
    .filter((f) => f.id === 'prm.found' || f.id === 'token.baseline')
    .flatMap((f) => f.evidence);
  if (ctx.prm) {
    record(ctx, 'staticToken', { status: 'pass', detail: 'publishes OAuth discovery (RFC 9728)' });
  } else if (held?.accepted && held.opaque) {
    record(ctx, 'staticToken', {
      status: 'fail',
      detail:
        'STATIC TOKEN: accepts an opaque bearer token and publishes no OAuth metadata — a shared secret that names nobody and never expires',
      evidence,
    });
  } else if (protectedBy401) {
    record(ctx, 'staticToken', {
      status: 'fail',
      detail:
        'answers 401 but no OAuth discovery leads to a token: clients can only be given a static secret',
      evidence,
    });
  } else {
    record(ctx, 'staticToken', {
      status: 'skip',
      detail: 'the server is not protected at all (see unauth.*)',
    });
  }
}

function isJwt(token: string): boolean {
  try {
    decodeProtectedHeader(token);
    decodeJwt(token);
    return true;
  } catch {
    return false;
  }
}
