/**
 * `sherpa audit` and "Sherpa: Audit Server Security": the identity posture of ANY MCP server, from
 * outside, non-destructively (initialize / tools/list / ping, metadata GETs, pre-login /authorize GETs
 * and one token request with a code nobody issued). The checks run in a fixed order, each group learning
 * what the next needs (the challenge → PRM → authorization server and its hygiene → token matrix → bearer
 * edge cases → transport → Entra doctor → registration probes, only with `probeRegistration` → the
 * per-client sign-in predictions, which read everything before them); what each check means is in
 * catalogue.ts.
 */
import { SherpaError } from '../errors';
import { createGuardedFetch, networkPolicyFor } from '../net/guarded-fetch';
import { normalizeUrl } from '../url';
import { runAuthorizationServerHygiene } from './checks-as-hygiene';
import { runBearerChecks } from './checks-bearer';
import { runCompatibilityChecks } from './checks-compat';
import { runEntraDoctor } from './checks-entra';
import { runEntraConfigChecks } from './checks-entra-config';
import { runMetadataChecks } from './checks-metadata';
import { runRegistrationProbes } from './checks-registration';
import { runTokenChecks } from './checks-token';
import { runTransportChecks } from './checks-transport';
import { runUnauthenticatedChecks } from './checks-unauthenticated';
import { record, type AuditContext, type AuditTokens } from './context';
import type { ExchangeRecorder, RawExchange } from './evidence';
import type { AuditReport, Finding } from './findings';

export interface AuditOptions {
  tokens?: AuditTokens;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Run the Entra pre-login probes for an Entra-shaped issuer that is not login.microsoftonline.com. */
  entraDoctor?: boolean;
  /**
   * Register clients at the authorization server to test its registration policy (RFC 7591). This
   * WRITES: off by default; every registration made is listed and deleted (RFC 7592) where possible.
   */
  probeRegistration?: boolean;
  /** Resolve names to check addresses (false behind a proxy that resolves them). */
  resolveNames?: boolean;
  onFinding?: (f: Finding) => void;
  signal?: AbortSignal;
  /** Records every exchange, redacted, for an evidence bundle (evidence.ts, evidence-bundle.ts). */
  recorder?: ExchangeRecorder;
}

/**
 * The probe engine's state for one run against `target`: the target checked to be an http(s) URL, the
 * network policy it sets, and the guarded fetch every URL the server names goes through. Verify
 * Deployment's live probes (core/azure/live-probes.ts) run on the same context.
 */
export async function createAuditContext(target: string, options: AuditOptions = {}): Promise<AuditContext> {
  let url: string;
  try {
    url = normalizeUrl(target);
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('not http(s)');
  } catch {
    throw new SherpaError('BAD_ARGUMENT', `Not an MCP server URL: ${target}`, {
      hint: 'Give the full URL of the MCP endpoint, e.g. https://mcp.example.com/mcp',
    });
  }
  const base = await networkPolicyFor(url, { resolve: options.resolveNames !== false });
  const recorder = options.recorder;
  // Every guarded fetch made from this policy — ctx.fetch and any a check makes itself — reports here.
  const policy = recorder ? { ...base, observe: (x: RawExchange) => void recorder.record(x) } : base;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    target: url,
    tokens: options.tokens ?? {},
    timeoutMs,
    fetch: createGuardedFetch(policy, { timeoutMs }),
    policy,
    findings: [],
    bodies: [],
    entraDoctor: options.entraDoctor ?? false,
    ...(options.onFinding ? { onFinding: options.onFinding } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(recorder ? { recorder } : {}),
  };
}

/** Audits `target`; throws (exit 2 in the CLI) only when it cannot be audited at all. */
export async function auditServer(target: string, options: AuditOptions = {}): Promise<AuditReport> {
  const ctx = await createAuditContext(target, options);
  const url = ctx.target;
  const startedAt = new Date().toISOString();
  await runUnauthenticatedChecks(ctx);
  await runMetadataChecks(ctx);
  await runAuthorizationServerHygiene(ctx);
  await runTokenChecks(ctx);
  await runBearerChecks(ctx);
  await runTransportChecks(ctx);
  await runEntraDoctor(ctx);
  runEntraConfigChecks(ctx);
  await runRegistrationProbes(ctx, options.probeRegistration === true);
  runCompatibilityChecks(ctx);
  recordEcho(ctx);
  return { target: url, startedAt, findings: ctx.findings };
}

// A JWT-shaped string or any token we sent, appearing in a body we received.
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;

function recordEcho(ctx: AuditContext): void {
  const sent = Object.values(ctx.tokens).filter((t): t is string => typeof t === 'string' && t.length >= 8);
  const hit = ctx.bodies.find((b) => JWT_SHAPE.test(b) || sent.some((t) => b.includes(t)));
  record(ctx, 'noEcho', {
    status: hit ? 'fail' : 'pass',
    detail: hit
      ? 'a response body contains a token (redacted in the evidence)'
      : `no token in ${ctx.bodies.length} response bodies`,
    ...(hit ? { evidence: [{ request: '(one of the responses above)', note: '<token redacted>' }] } : {}),
  });
}
