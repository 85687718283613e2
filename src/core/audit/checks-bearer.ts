/**
 * Bearer handling edge cases: what a server does with an Authorization header that is not a token it
 * issued — a random opaque string, bytes outside the b64token syntax, a 15 KiB value, two headers, the
 * scheme in lower case — and what kind of credential the token the person holds is. A server's parser
 * is where a crash (5xx) or a "anything non-empty is fine" lives. RFC 6750 §2.1 and §3.1, RFC 9110
 * §11.1 (the scheme is case-insensitive) and §5.3 (Authorization is a singleton field).
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { findBearerChallenge } from '../discovery/www-authenticate';
import { registerSecret } from '../token/redact';
import { describeStatus, record, send, type AuditContext } from './context';
import type { CheckKey } from './catalogue';
import { isRpcSuccess, type ProbeResult } from './probe';

/** Length of the oversized token: past any real access token (Entra's are ~2-4 KiB), under Node's 16 KiB header limit. */
export const OVERSIZED_TOKEN_LENGTH = 15 * 1024;

const randomOpaque = () => randomBytes(32).toString('base64url');

/**
 * How a refusal of a credential that is not a valid token reads: 401 `invalid_token` passes (RFC 6750
 * §3.1); `acceptable` other answers pass with their reason (431 for the oversized header, 400
 * `invalid_request` for two headers); a 5xx fails (the parser broke on input anyone can send); a JSON-RPC
 * result fails (accepted); any other refusal is a warning (refused, but clients cannot tell why).
 */
export function judgeRefusal(
  r: ProbeResult,
  acceptedDetail: string,
  acceptable: (r: ProbeResult) => string | undefined = () => undefined,
): { status: 'pass' | 'fail' | 'warn'; detail: string } {
  const challenge = findBearerChallenge(r.headers['www-authenticate']);
  if (isRpcSuccess(r)) return { status: 'fail', detail: `ACCEPTED ${acceptedDetail}` };
  if (typeof r.status === 'number' && r.status >= 500)
    return { status: 'fail', detail: `server error ${r.status}: input anyone can send breaks the server` };
  if (r.status === 401 && challenge?.error === 'invalid_token')
    return {
      status: 'pass',
      detail: `401 invalid_token${challenge.errorDescription ? `: ${challenge.errorDescription}` : ''}`,
    };
  const why = acceptable(r);
  if (why) return { status: 'pass', detail: why };
  return {
    status: 'warn',
    detail:
      r.status === 401
        ? `401 without error="invalid_token"${challenge ? '' : ' (no Bearer challenge)'}: a client cannot tell a bad token from a missing one`
        : `refused with ${describeStatus(r)} instead of 401 invalid_token`,
  };
}

function recordProbe(
  ctx: AuditContext,
  key: CheckKey,
  r: ProbeResult,
  verdict: ReturnType<typeof judgeRefusal>,
) {
  record(ctx, key, { ...verdict, evidence: [r.evidence] });
}

const PROBES: CheckKey[] = [
  'bearerRandomOpaque',
  'bearerMalformed',
  'bearerOversized',
  'bearerDuplicate',
  'bearerLowerCase',
  'bearerCredentialKind',
];

export async function runBearerChecks(ctx: AuditContext): Promise<void> {
  // A server that answers without any token is unauth.*'s finding: one defect, one check.
  if (!ctx.findings.some((f) => f.id === 'unauth.initialize-401' && f.status === 'pass')) {
    for (const k of PROBES)
      record(ctx, k, {
        status: 'skip',
        detail: 'the server does not refuse requests without a token (see unauth.*)',
      });
    return;
  }
  const valid = ctx.tokens.valid;
  if (valid) registerSecret(valid);
  const oauth = ctx.prm ? 'advertises OAuth metadata (PRM) yet ' : '';

  const opaque = await send(ctx, {
    authorization: { values: [`Bearer ${randomOpaque()}`], label: 'random opaque string' },
  });
  recordProbe(
    ctx,
    'bearerRandomOpaque',
    opaque,
    judgeRefusal(
      opaque,
      `a random string no authorization server issued: the server ${oauth}accepts ANY bearer value`,
    ),
  );

  const garbage = await send(ctx, {
    authorization: {
      values: ['Bearer %%%{not a token}<>"\';--'],
      label: 'bytes outside the b64token syntax',
    },
  });
  recordProbe(
    ctx,
    'bearerMalformed',
    garbage,
    judgeRefusal(garbage, 'a value that is not even b64token syntax'),
  );

  const big = await send(ctx, {
    authorization: {
      values: [`Bearer ${randomBytes((OVERSIZED_TOKEN_LENGTH * 3) / 4).toString('base64url')}`],
      label: `random ${OVERSIZED_TOKEN_LENGTH / 1024} KiB value`,
    },
  });
  recordProbe(
    ctx,
    'bearerOversized',
    big,
    judgeRefusal(big, `a ${OVERSIZED_TOKEN_LENGTH / 1024} KiB random value`, (r) =>
      r.status === 431 || r.status === 413
        ? `refused before authentication (${r.status}), no crash`
        : undefined,
    ),
  );

  // An invalid credential first, then the held one: a server (or a proxy in front) that reads one
  // header while another reads the other is the smuggling gap. RFC 9110 §5.3: Authorization is a
  // singleton field; two of them are a malformed request.
  const second = valid ?? randomOpaque();
  const dup = await send(ctx, {
    authorization: {
      values: [`Bearer ${randomOpaque()}`, `Bearer ${second}`],
      label: `two Authorization headers: a random string, then ${valid ? 'your token' : 'another random string'}`,
    },
  });
  recordProbe(
    ctx,
    'bearerDuplicate',
    dup,
    judgeRefusal(
      dup,
      `two Authorization headers, the first invalid${valid ? ': it read the second (your token)' : ''}`,
      (r) =>
        r.status === 400
          ? '400: two Authorization headers refused as a malformed request (RFC 6750 §3.1 invalid_request)'
          : undefined,
    ),
  );

  await runLowerCaseScheme(ctx, valid);
  runCredentialKind(ctx, valid);
}

/** RFC 9110 §11.1: `bearer` is `Bearer`. With a held token it must be accepted; without, refused as invalid. */
async function runLowerCaseScheme(ctx: AuditContext, valid: string | undefined): Promise<void> {
  if (!valid || !ctx.findings.some((f) => f.id === 'token.baseline' && f.status === 'pass')) {
    const r = await send(ctx, {
      authorization: { values: [`bearer ${randomOpaque()}`], label: 'lower-case scheme, random string' },
    });
    recordProbe(
      ctx,
      'bearerLowerCase',
      r,
      judgeRefusal(r, 'a random string under the lower-case `bearer` scheme'),
    );
    return;
  }
  const r = await send(ctx, {
    authorization: { values: [`bearer ${valid}`], label: 'lower-case scheme, your token' },
  });
  const ok = isRpcSuccess(r);
  record(ctx, 'bearerLowerCase', {
    status: ok ? 'pass' : 'fail',
    detail: ok
      ? 'your token under `bearer` (lower case) is accepted'
      : typeof r.status === 'number' && r.status >= 500
        ? `server error ${r.status} for \`bearer <your token>\``
        : `your valid token under \`bearer\` was refused (${describeStatus(r)}): the scheme name is case-insensitive`,
    evidence: [r.evidence],
  });
}

// Shapes of API keys, not OAuth access tokens: vendor prefixes, or words joined by dashes.
const KEY_PREFIX = /^(sk|pk|rk|api|apikey|key|pat|token|secret|ghp|gho|ghs|github_pat|glpat|xox[abpr])[-_]/i;
const WORDY = /^[a-z]+(?:[-_][a-z0-9]+){2,}$/i;

/**
 * What the held, accepted token is. A JWT shows its issuer and expiry; it must come from an
 * authorization server the PRM names and expire. An opaque token cannot be judged from outside — only
 * its authorization server can (RFC 7662) — unless it is shaped like an API key (a vendor prefix, a
 * short or word-like value): a server that advertises OAuth yet takes that is protected by a shared key.
 */
export function runCredentialKind(ctx: AuditContext, valid: string | undefined): void {
  const accepted = ctx.findings.some((f) => f.id === 'token.baseline' && f.status === 'pass');
  if (!valid || !accepted) {
    record(ctx, 'bearerCredentialKind', {
      status: 'skip',
      detail: valid ? 'the token you gave is not accepted' : 'needs a token you hold (--token-command)',
    });
    return;
  }
  if (!ctx.prm) {
    record(ctx, 'bearerCredentialKind', {
      status: 'skip',
      detail: 'no OAuth metadata: static.shared-token judges this server',
    });
    return;
  }
  const servers = (ctx.prm.metadata.authorization_servers ?? []).map(String);
  // The evidence is what decided it: the held token accepted, and the PRM that advertises OAuth.
  const evidence = ctx.findings
    .filter((f) => f.id === 'token.baseline' || f.id === 'prm.found')
    .flatMap((f) => f.evidence.slice(-1));
  record(ctx, 'bearerCredentialKind', {
    ...classifyCredential(valid, servers, ctx.as?.metadata.issuer),
    evidence,
  });
}

/** The pure part of {@link runCredentialKind}, for a server that advertises `servers` in its PRM. */
export function classifyCredential(
  token: string,
  servers: string[],
  discoveredIssuer?: string,
): { status: 'pass' | 'fail' | 'skip'; detail: string } {
  let claims: Record<string, unknown> | undefined;
  try {
    decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    claims = undefined;
  }
  if (claims) {
    const iss = typeof claims.iss === 'string' ? claims.iss : undefined;
    const known = [...servers, ...(discoveredIssuer ? [discoveredIssuer] : [])];
    if (!iss || !known.includes(iss))
      return {
        status: 'fail',
        detail: `accepted a JWT issued by ${iss ?? '(no iss)'}, not by the authorization server the PRM names (${servers.join(', ') || 'none'})`,
      };
    if (typeof claims.exp !== 'number')
      return {
        status: 'fail',
        detail: `a JWT of ${iss} without exp: it never expires, a shared static key in JWT form`,
      };
    return {
      status: 'pass',
      detail: `a JWT of ${iss}, expiring ${new Date(claims.exp * 1000).toISOString()}`,
    };
  }
  const why = KEY_PREFIX.test(token)
    ? `starts with an API-key prefix (${KEY_PREFIX.exec(token)![0]})`
    : token.length < 24
      ? `only ${token.length} characters`
      : WORDY.test(token)
        ? 'made of words, not random bytes'
        : undefined;
  if (why)
    return {
      status: 'fail',
      detail: `LOOKS LIKE A SHARED STATIC KEY: the server advertises OAuth yet accepted an opaque value that ${why}`,
    };
  return {
    status: 'skip',
    detail:
      'opaque token, cannot judge: only its authorization server can tell whose it is and when it expires (RFC 7662)',
  };
}
