/**
 * What sits between the client and the MCP server, seen from outside with the person's own token:
 * a gateway that drops the Authorization header (the server then answers a valid token exactly as it
 * answers no token at all), and the 2026-07-28 rule that the `Mcp-Method` header must agree with the
 * JSON-RPC body (SEP-2243), reported as information while servers still speak 2025-11-25.
 *
 * A gateway that passes the client's token on to upstream APIs (token passthrough, forbidden by MCP
 * authorization §Token Handling) cannot be seen from outside without a tool call that reaches an
 * upstream; the audit does not call tools, so that stays with the echo check (transport.no-echo).
 */
import { describeStatus, record, send, type AuditContext } from './context';
import { isRpcSuccess } from './probe';

/** The bare challenge parameters, without `error`/`error_description`, for comparing two 401s. */
function challengeShape(header: string | undefined): string {
  return (header ?? '').replace(/,?\s*error(_description)?="[^"]*"/g, '').trim();
}

export async function runTransportChecks(ctx: AuditContext): Promise<void> {
  const valid = ctx.tokens.valid;
  if (!valid) {
    for (const key of ['transportAuthForwarded', 'transportMcpMethod'] as const)
      record(ctx, key, { status: 'skip', detail: 'needs a token this server accepts (--token-command)' });
    return;
  }
  const token = { value: valid, label: 'your token' };
  await checkAuthorizationForwarded(ctx, token);
  await checkMcpMethodHeader(ctx, token);
}

/**
 * The held token, and no token, on the same request. A server that sees a token it refuses says so
 * (RFC 6750 §3.1 `error="invalid_token"`, or at least a different answer); one behind a gateway that
 * stripped the header gives both requests the same bare challenge.
 */
async function checkAuthorizationForwarded(
  ctx: AuditContext,
  token: { value: string; label: string },
): Promise<void> {
  const withToken = await send(ctx, { rpc: 'initialize', token });
  if (isRpcSuccess(withToken)) {
    record(ctx, 'transportAuthForwarded', {
      status: 'pass',
      detail: 'your token was accepted: the Authorization header reaches the server',
      evidence: [withToken.evidence],
    });
    return;
  }
  const without = await send(ctx, { rpc: 'initialize' });
  const h1 = withToken.headers['www-authenticate'];
  const h0 = without.headers['www-authenticate'];
  const stripped =
    withToken.status === 401 &&
    without.status === 401 &&
    !/error="/.test(h1 ?? '') &&
    challengeShape(h1) === challengeShape(h0);
  record(ctx, 'transportAuthForwarded', {
    status: stripped ? 'fail' : 'warn',
    detail: stripped
      ? 'your token gets the very challenge a request without any token gets (no error="invalid_token"): something in front of the server strips Authorization'
      : `your token was refused (${describeStatus(withToken)}), but differently from no token (${describeStatus(without)}): the header arrives; see token.baseline`,
    evidence: [withToken.evidence, without.evidence],
  });
}

/**
 * tools/list with `Mcp-Method: ping` at protocol 2026-07-28: a server of that revision answers 400 with
 * JSON-RPC -32020; one that runs the body's method lets a gateway route or authorise on a header that
 * lies. A 2025-11-25-only server refuses the version (or ignores the header), which is allowed for now.
 */
async function checkMcpMethodHeader(
  ctx: AuditContext,
  token: { value: string; label: string },
): Promise<void> {
  const r = await send(ctx, {
    rpc: 'tools/list',
    token,
    headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'ping' },
  });
  const enforced = r.status === 400 && /-32020/.test(r.body);
  const ran = isRpcSuccess(r);
  record(ctx, 'transportMcpMethod', {
    status: ran ? 'warn' : 'pass',
    detail: enforced
      ? 'a tools/list body under Mcp-Method: ping was refused with -32020, as 2026-07-28 requires'
      : ran
        ? 'a tools/list body under Mcp-Method: ping was run: at 2026-07-28 this MUST be 400 / -32020, or a gateway routing on the header can be lied to'
        : `not run (${describeStatus(r)}): the server does not take this 2026-07-28 request, so the rule does not apply yet`,
    evidence: [r.evidence],
  });
}
