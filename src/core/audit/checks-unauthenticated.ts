/**
 * What anyone can try without a token: anonymous initialize and tools/list, the 401 challenge, a token in
 * the query string, TLS, CORS. MCP authorization 2025-11-25 §Access Token Usage, RFC 6750 §3, RFC 9728 §5.1.
 */
import { SherpaError } from '../errors';
import { isLoopbackHost } from '../net/loopback';
import { toNetworkFailureError } from '../net/network-failure';
import { findBearerChallenge } from '../discovery/www-authenticate';
import { describeStatus, record, send, type AuditContext } from './context';
import { isRpcSuccess, type ProbeResult } from './probe';

function refusedWith401(
  ctx: AuditContext,
  key: 'unauthInitialize' | 'unauthToolsList',
  r: ProbeResult,
): void {
  const status = r.status === 401 ? 'pass' : isRpcSuccess(r) ? 'fail' : 'warn';
  record(ctx, key, {
    status,
    detail:
      status === 'pass'
        ? 'refused with 401'
        : status === 'fail'
          ? `ANSWERED without any token (${describeStatus(r)}): anyone who can reach it can use it`
          : `refused, but with ${describeStatus(r)} instead of 401: clients will not start OAuth discovery`,
    evidence: [r.evidence],
  });
}

export async function runUnauthenticatedChecks(ctx: AuditContext): Promise<void> {
  const init = await send(ctx, { rpc: 'initialize' });
  if (init.status === 'error') {
    // The same sentence `sherpa connect` and the extension say for this failure (net/network-failure.ts).
    throw (
      toNetworkFailureError(init.failure, ctx.target, { timeoutMs: ctx.timeoutMs }) ??
      new SherpaError('SERVER_UNREACHABLE', `${new URL(ctx.target).host} could not be reached.`, {
        cause: init.failure,
        hint: 'Check the address and your network; the log has the details.',
        details: { error: init.error },
      })
    );
  }
  refusedWith401(ctx, 'unauthInitialize', init);
  refusedWith401(ctx, 'unauthToolsList', await send(ctx, { rpc: 'tools/list' }));

  const header = init.headers['www-authenticate'];
  const challenge = findBearerChallenge(header);
  if (challenge) ctx.challenge = challenge;
  if (init.status !== 401) {
    record(ctx, 'challenge', { status: 'skip', detail: `no 401 to inspect (${describeStatus(init)})` });
    record(ctx, 'challengeResourceMetadata', { status: 'skip', detail: 'no 401 to inspect' });
    record(ctx, 'challengeScope', { status: 'skip', detail: 'no 401 to inspect' });
  } else {
    record(ctx, 'challenge', {
      status: challenge ? 'pass' : 'fail',
      detail: challenge
        ? 'Bearer challenge present'
        : header
          ? `no Bearer challenge in "${header}"`
          : 'no WWW-Authenticate header',
      evidence: [init.evidence],
    });
    // Without any Bearer challenge there are no parameters to judge: that is unauth.www-authenticate's
    // finding alone, so one defect is reported by one check.
    record(ctx, 'challengeResourceMetadata', {
      status: !challenge ? 'skip' : challenge.resourceMetadata ? 'pass' : 'fail',
      detail: !challenge
        ? 'no Bearer challenge to inspect'
        : challenge.resourceMetadata
          ? `resource_metadata=${challenge.resourceMetadata}`
          : 'no resource_metadata parameter',
      evidence: [init.evidence],
    });
    record(ctx, 'challengeScope', {
      status: !challenge ? 'skip' : challenge.scope ? 'pass' : 'fail',
      detail: !challenge
        ? 'no Bearer challenge to inspect'
        : challenge.scope
          ? `scope="${challenge.scope}"`
          : 'no scope parameter',
      evidence: [init.evidence],
    });
  }

  const url = new URL(ctx.target);
  const tlsOk = url.protocol === 'https:' || isLoopbackHost(url.hostname);
  record(ctx, 'https', {
    status: tlsOk ? 'pass' : 'fail',
    detail:
      url.protocol === 'https:'
        ? 'https'
        : tlsOk
          ? 'plain http on loopback (development only)'
          : 'plain http over the network: tokens travel in clear text',
  });

  // CORS: a preflight from a foreign web page, asking to send an Authorization header.
  const pre = await send(ctx, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://attacker.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
  const allowOrigin = pre.headers['access-control-allow-origin'];
  const credentials = pre.headers['access-control-allow-credentials'] === 'true';
  const open = allowOrigin === '*' || allowOrigin === 'https://attacker.example';
  record(ctx, 'cors', {
    status: open && credentials ? 'fail' : open ? 'warn' : 'pass',
    detail: !allowOrigin
      ? 'no CORS grant for a foreign origin'
      : `Access-Control-Allow-Origin: ${allowOrigin}${credentials ? ', Allow-Credentials: true' : ''}`,
    evidence: [pre.evidence],
  });

  if (!ctx.tokens.valid) {
    record(ctx, 'queryToken', { status: 'skip', detail: 'needs a token you hold (--token-command)' });
  } else {
    const q = new URL(ctx.target);
    q.searchParams.set('access_token', ctx.tokens.valid);
    const r = await send(ctx, { url: q.href, rpc: 'initialize' });
    record(ctx, 'queryToken', {
      status: isRpcSuccess(r) ? 'fail' : 'pass',
      detail: isRpcSuccess(r)
        ? 'ACCEPTED a token from the URL: it ends up in logs, history and Referer'
        : `refused (${describeStatus(r)})`,
      evidence: [r.evidence],
    });
  }
}
