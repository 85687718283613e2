/** What the checks of one audit run share: the target, the tokens the person gave, what was learnt. */
import type { DiscoveredAuthorizationServer } from '../discovery/as-metadata';
import type { GuardedFetch, NetworkPolicy } from '../net/guarded-fetch';
import type { ProtectedResourceMetadata } from '../discovery/protected-resource';
import type { BearerChallenge } from '../discovery/www-authenticate';
import { CHECKS, type CheckKey } from './catalogue';
import type { ExchangeRecorder } from './evidence';
import { toFinding, type Finding, type Observation } from './findings';
import { probe, type ProbeRequest, type ProbeResult } from './probe';
import { toNetworkFailureError } from '../net/network-failure';

export interface AuditTokens {
  /** A token the person legitimately holds for this server (Connect, `--token-command`). */
  valid?: string;
  /** A token of the same authorization server for another resource (confused deputy). */
  foreign?: string;
  /** An expired token for this server. */
  expired?: string;
  /** A token for this server without the required scope. */
  narrow?: string;
}

export interface AuditContext {
  target: string;
  tokens: AuditTokens;
  timeoutMs: number;
  /** Guarded fetch for URLs the server names (PRM, AS metadata), and the policy it was made with. */
  fetch: GuardedFetch;
  policy: NetworkPolicy;
  findings: Finding[];
  /** Every response body seen, for the echo check. */
  bodies: string[];
  challenge?: BearerChallenge;
  prm?: { metadata: ProtectedResourceMetadata; url: string };
  as?: DiscoveredAuthorizationServer;
  /** Run the Entra pre-login probes even when the issuer is not login.microsoftonline.com (the lab). */
  entraDoctor: boolean;
  onFinding?: (f: Finding) => void;
  signal?: AbortSignal;
  /** Keeps every exchange for the evidence bundle (`--evidence-dir`); the guarded fetch reports to it too. */
  recorder?: ExchangeRecorder;
}

/** Records the finding of `key` with what was observed. */
export function record(ctx: AuditContext, key: CheckKey, o: Observation): Finding {
  const f = toFinding(CHECKS[key], o);
  ctx.findings.push(f);
  ctx.recorder?.onFinding(f);
  ctx.onFinding?.(f);
  return f;
}

/** Sends one probe to the target and keeps its body for the echo check. */
export async function send(ctx: AuditContext, req: ProbeRequest): Promise<ProbeResult> {
  if (ctx.signal?.aborted) throw ctx.signal.reason;
  const recorder = ctx.recorder;
  const r = await probe(ctx.target, req, {
    timeoutMs: ctx.timeoutMs,
    ...(recorder ? { observe: (raw, evidence) => recorder.link(evidence, recorder.record(raw)) } : {}),
  });
  ctx.bodies.push(r.body);
  return r;
}

/**
 * "401", "200" or "no answer (nothing is accepting connections at …)" for a finding's detail line: a
 * failed request in the words `sherpa connect` uses (net/network-failure.ts); the platform's own message
 * stays in the evidence's note.
 */
export function describeStatus(r: ProbeResult): string {
  if (r.status !== 'error') return String(r.status);
  const worded = toNetworkFailureError(r.failure, '');
  if (!worded) return `no answer (${r.error ?? 'error'})`;
  return `no answer (${worded.message.charAt(0).toLowerCase()}${worded.message.slice(1, -1)})`;
}
