/**
 * Registration abuse probes — the only part of the audit that WRITES, so it runs only when asked
 * (`--probe-registration`). Each probe sends one RFC 7591 registration the authorization server should
 * refuse (non-loopback `http://`, script/data/file schemes, no redirect URIs, a wildcard or `localhost`
 * redirect for a confidential client, a reserved client name); every registration it accepts is listed
 * in the report with its client_id and registration_client_uri and deleted through RFC 7592 §2.3 where
 * the server handed out a registration_access_token. With a loopback client it registered it also reads
 * RFC 9207 `iss` from a real authorization error response, and for Client ID Metadata Documents it tests
 * whether the server fetches a client_id URL on a private address (SSRF) — see probeCimdFetch.
 */
import { registerSecret } from '../token/redact';
import { probeAuthorize, unusedLoopbackPort } from './authorize-probe';
import { probeCimdFetch } from './checks-cimd';
import { CLIENT_PROFILES } from './client-profiles';
import { record, type AuditContext } from './context';
import type { Evidence } from './findings';

/** One registration the server accepted: what the report lists so a person can remove it. */
export interface RegistrationMade {
  probe: string;
  clientId: string;
  registrationClientUri?: string;
  deleted: boolean;
}

interface RegistrationAnswer {
  status: number | 'error';
  /** The client_id, when the server accepted the registration (2xx with a client_id). */
  clientId?: string;
  /** The redirect_uris the server says it kept. */
  redirectUris: string[];
  clientName?: string;
  error?: string;
  evidence: Evidence;
}

const PROBE_NAME = 'sherpa-audit probe (safe to delete)';

/** What this server's DCR said to each client's own redirect URIs (client-profiles.ts), per run. */
/** `partial`: registered, but some of its redirect URIs were dropped (the client may sign in from the others). */
export interface DcrVerdict {
  accepted: boolean;
  partial: boolean;
  detail: string;
}
const clientVerdicts = new WeakMap<AuditContext, Map<string, DcrVerdict>>();

/**
 * Whether the run registered `clientId`'s redirect URIs (client-profiles.ts) and what the server said;
 * undefined when registration was not probed. Read by checks-compat.ts.
 */
export function dcrVerdictFor(ctx: AuditContext, clientId: string): DcrVerdict | undefined {
  return clientVerdicts.get(ctx)?.get(clientId);
}

class Registrar {
  readonly made: RegistrationMade[] = [];
  private readonly tokens = new Map<string, { uri: string; token: string }>();
  constructor(
    private readonly ctx: AuditContext,
    private readonly endpoint: string,
  ) {}

  /** POSTs client metadata (RFC 7591 §3.1) and remembers what was accepted. Never throws. */
  async register(probe: string, metadata: Record<string, unknown>): Promise<RegistrationAnswer> {
    const request = `POST registration_endpoint (${probe})`;
    try {
      const res = await this.ctx.fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          client_name: PROBE_NAME,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
          ...metadata,
        }),
      });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON: an error page
      }
      for (const secret of [json.client_secret, json.registration_access_token])
        if (typeof secret === 'string' && secret.length >= 8) registerSecret(secret);
      this.ctx.bodies.push(text);
      const clientId = res.ok && typeof json.client_id === 'string' ? json.client_id : undefined;
      if (clientId) {
        const uri =
          typeof json.registration_client_uri === 'string' ? json.registration_client_uri : undefined;
        this.made.push({ probe, clientId, ...(uri ? { registrationClientUri: uri } : {}), deleted: false });
        if (uri && typeof json.registration_access_token === 'string')
          this.tokens.set(clientId, { uri, token: json.registration_access_token });
      }
      const error = typeof json.error === 'string' ? json.error : undefined;
      return {
        status: res.status,
        ...(clientId ? { clientId } : {}),
        redirectUris: Array.isArray(json.redirect_uris) ? json.redirect_uris.map(String) : [],
        ...(typeof json.client_name === 'string' ? { clientName: json.client_name } : {}),
        ...(error ? { error } : {}),
        evidence: {
          request,
          status: res.status,
          note: clientId ? `registered client_id ${clientId}` : (error ?? `HTTP ${res.status}`),
        },
      };
    } catch (err) {
      return {
        status: 'error',
        redirectUris: [],
        error: (err as Error).message,
        evidence: { request, status: 'error', note: (err as Error).message },
      };
    }
  }

  /** Deletes every registration the server gave a management token for (RFC 7592 §2.3). */
  async cleanUp(): Promise<Evidence[]> {
    const evidence: Evidence[] = [];
    for (const m of this.made) {
      const mgmt = this.tokens.get(m.clientId);
      if (!mgmt) continue;
      try {
        const res = await this.ctx.fetch(mgmt.uri, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${mgmt.token}` },
        });
        await res.text();
        m.deleted = res.status === 204 || res.status === 200;
        evidence.push({
          request: `DELETE registration_client_uri of ${m.clientId} (Authorization: Bearer <registration_access_token>)`,
          status: res.status,
        });
      } catch (err) {
        evidence.push({
          request: `DELETE registration_client_uri of ${m.clientId}`,
          status: 'error',
          note: (err as Error).message,
        });
      }
    }
    return evidence;
  }
}

/** Accepted = a client_id came back and the redirect URI asked for was kept (a server may drop it). */
function kept(a: RegistrationAnswer, uri: string): boolean {
  return a.clientId !== undefined && (a.redirectUris.length === 0 || a.redirectUris.includes(uri));
}

function refusal(a: RegistrationAnswer): string {
  return a.status === 'error'
    ? `no answer (${a.error})`
    : `refused (HTTP ${a.status}${a.error ? ` ${a.error}` : ''})`;
}

export async function runRegistrationProbes(ctx: AuditContext, enabled: boolean): Promise<void> {
  if (!enabled) {
    record(ctx, 'regProbe', {
      status: 'skip',
      detail:
        'not run: --probe-registration registers clients at the authorization server (it writes); off by default',
    });
    return;
  }
  const meta = ctx.as?.metadata;
  const endpoint = meta?.registration_endpoint;
  const dcrKeys = [
    'regHttpRedirect',
    'regDangerousScheme',
    'regEmptyRedirects',
    'regConfidentialLoose',
    'regReservedName',
    'asIssInResponse',
  ] as const;
  if (!endpoint) {
    for (const key of dcrKeys)
      record(ctx, key, {
        status: 'skip',
        detail: meta ? 'no registration_endpoint' : 'no authorization server metadata',
      });
    record(ctx, 'regProbe', {
      status: 'pass',
      detail: `nothing registered: ${meta ? 'the authorization server offers no dynamic registration' : 'no authorization server metadata'}`,
    });
  } else {
    const reg = new Registrar(ctx, endpoint);
    await probeRedirectPolicies(ctx, reg);
    await probeIssInResponse(ctx, reg);
    await probeClientRedirects(ctx, reg);
    const cleanup = await reg.cleanUp();
    const left = reg.made.filter((m) => !m.deleted);
    record(ctx, 'regProbe', {
      status: left.length ? 'warn' : 'pass',
      detail: reg.made.length
        ? `${reg.made.length} registration(s) made, ${reg.made.length - left.length} deleted (RFC 7592)` +
          (left.length
            ? `; REMOVE BY HAND: ${left.map((m) => `${m.clientId}${m.registrationClientUri ? ` (${m.registrationClientUri})` : ''}`).join(', ')}`
            : '')
        : 'every probe registration was refused: nothing to remove',
      evidence: [
        ...reg.made.map((m) => ({
          request: `registered by probe "${m.probe}"`,
          note: `client_id ${m.clientId}; registration_client_uri ${m.registrationClientUri ?? '(none given)'}; ${m.deleted ? 'deleted' : 'NOT deleted'}`,
        })),
        ...cleanup,
      ],
    });
  }
  await probeCimdFetch(ctx);
}

async function probeRedirectPolicies(ctx: AuditContext, reg: Registrar): Promise<void> {
  // `.invalid` never resolves (RFC 6761 §6.4): nothing can ever be sent there.
  const httpUri = 'http://sherpa-audit.invalid/callback';
  const http = await reg.register('http:// redirect outside loopback', { redirect_uris: [httpUri] });
  record(ctx, 'regHttpRedirect', {
    status: kept(http, httpUri) ? 'fail' : 'pass',
    detail: kept(http, httpUri) ? `registered ${httpUri} as client ${http.clientId}` : refusal(http),
    evidence: [http.evidence],
  });

  const schemes = [
    'javascript:alert(document.domain)//',
    'data:text/html,sherpa-audit',
    'file:///sherpa-audit',
  ];
  const accepted: string[] = [];
  const evidence: Evidence[] = [];
  for (const uri of schemes) {
    const a = await reg.register(`${uri.split(':')[0]}: redirect`, { redirect_uris: [uri] });
    evidence.push(a.evidence);
    if (kept(a, uri)) accepted.push(uri.split(':')[0]!);
  }
  record(ctx, 'regDangerousScheme', {
    status: accepted.length ? 'fail' : 'pass',
    detail: accepted.length
      ? `registered a ${accepted.join(', ')}: redirect URI`
      : 'javascript:, data: and file: refused',
    evidence,
  });

  const empty = await reg.register('empty redirect_uris', { redirect_uris: [] });
  record(ctx, 'regEmptyRedirects', {
    status: empty.clientId ? 'fail' : 'pass',
    detail: empty.clientId
      ? `an authorization_code client without redirect URIs was registered (${empty.clientId})`
      : refusal(empty),
    evidence: [empty.evidence],
  });

  const wildcardUri = 'https://*.sherpa-audit.invalid/callback';
  const localhostUri = 'http://localhost/callback';
  const confidential = { token_endpoint_auth_method: 'client_secret_basic', application_type: 'web' };
  const wildcard = await reg.register('confidential client, wildcard redirect', {
    ...confidential,
    redirect_uris: [wildcardUri],
  });
  const localhost = await reg.register('confidential client, localhost redirect', {
    ...confidential,
    redirect_uris: [localhostUri],
  });
  const loose = [
    ...(kept(wildcard, wildcardUri) ? [wildcardUri] : []),
    ...(kept(localhost, localhostUri) ? [localhostUri] : []),
  ];
  record(ctx, 'regConfidentialLoose', {
    status: loose.length ? 'fail' : 'pass',
    detail: loose.length
      ? `a confidential (client_secret_basic) client registered ${loose.join(' and ')}`
      : `wildcard ${refusal(wildcard)}; localhost ${refusal(localhost)}`,
    evidence: [wildcard.evidence, localhost.evidence],
  });

  const name = 'Visual Studio Code';
  const reserved = await reg.register(`client_name "${name}"`, {
    client_name: name,
    redirect_uris: ['http://127.0.0.1/callback'],
  });
  const impersonates = reserved.clientId !== undefined && (reserved.clientName ?? name) === name;
  record(ctx, 'regReservedName', {
    status: impersonates ? 'fail' : 'pass',
    detail: impersonates
      ? `anyone can register a client named "${name}" (${reserved.clientId}): a consent page would show that name`
      : reserved.clientId
        ? `registered, but the name was changed to "${reserved.clientName}"`
        : refusal(reserved),
    evidence: [reserved.evidence],
  });
}

/**
 * Registers each DCR client's own redirect URIs (client-profiles.ts) the way that client does — all in
 * one request, so one refused URI refuses the client — for checks-compat.ts to say who gets through.
 */
async function probeClientRedirects(ctx: AuditContext, reg: Registrar): Promise<void> {
  const verdicts = new Map<string, DcrVerdict>();
  for (const profile of CLIENT_PROFILES.filter((p) => p.registration.includes('dcr'))) {
    const uris = profile.redirectUris.map((u) =>
      u.replace('{port}', '33418').replace('{id}', 'sherpa-audit'),
    );
    const a = await reg.register(`${profile.name}'s redirect URIs`, { redirect_uris: uris });
    const dropped = a.clientId
      ? uris.filter((u) => a.redirectUris.length && !a.redirectUris.includes(u))
      : [];
    verdicts.set(profile.id, {
      accepted: a.clientId !== undefined,
      partial: dropped.length > 0,
      detail: a.clientId
        ? dropped.length
          ? `DCR registered it but dropped ${dropped.join(', ')}`
          : `DCR accepted its redirect URIs (${uris.join(', ')})`
        : `DCR ${refusal(a)} for its redirect URIs ${uris.join(', ')}`,
    });
  }
  clientVerdicts.set(ctx, verdicts);
}

/**
 * Registers a loopback public client, then sends /authorize a request that is wrong in a way only the
 * client can be told about (an unsupported response_type, RFC 6749 §4.1.2.1): the server redirects back
 * with `error=…`, and RFC 9207 §2 puts `iss` in that response too. The Location is read, never followed.
 */
async function probeIssInResponse(ctx: AuditContext, reg: Registrar): Promise<void> {
  const meta = ctx.as!.metadata;
  if (meta.authorization_response_iss_parameter_supported !== true || !meta.authorization_endpoint) {
    record(ctx, 'asIssInResponse', {
      status: 'skip',
      detail: meta.authorization_endpoint
        ? 'iss is not advertised (see as.iss-parameter)'
        : 'no authorization_endpoint',
    });
    return;
  }
  const redirectUri = `http://127.0.0.1:${await unusedLoopbackPort()}/sherpa-audit-callback`;
  const client = await reg.register('loopback public client for the iss probe', {
    redirect_uris: [redirectUri],
  });
  if (!client.clientId) {
    record(ctx, 'asIssInResponse', {
      status: 'skip',
      detail: `could not register a loopback client: ${refusal(client)}`,
      evidence: [client.evidence],
    });
    return;
  }
  const request = 'GET authorization_endpoint (registered loopback client, response_type=sherpa_unsupported)';
  const outcome = await probeAuthorize(ctx, meta.authorization_endpoint, {
    response_type: 'sherpa_unsupported',
    client_id: client.clientId,
    redirect_uri: redirectUri,
  });
  if (outcome.kind === 'answered') {
    record(ctx, 'asIssInResponse', {
      status: 'warn',
      detail: `no redirect back to the client (HTTP ${outcome.status}): the authorization response could not be read`,
      evidence: [client.evidence, { request, status: outcome.status }],
    });
    return;
  }
  if (outcome.kind === 'failed') {
    record(ctx, 'asIssInResponse', {
      status: 'warn',
      detail: `could not probe the authorization endpoint: ${outcome.message}`,
      evidence: [client.evidence, { request, status: 'error', note: outcome.message }],
    });
    return;
  }
  const { location } = outcome;
  const iss = location.searchParams.get('iss');
  const error = location.searchParams.get('error') ?? '(none)';
  record(ctx, 'asIssInResponse', {
    status: iss === meta.issuer ? 'pass' : 'fail',
    detail:
      iss === meta.issuer
        ? `error=${error} came back with iss=${iss}`
        : iss === null
          ? `error=${error} came back WITHOUT iss although authorization_response_iss_parameter_supported is true: a client checking RFC 9207 refuses every response`
          : `iss=${iss} differs from the issuer ${meta.issuer}`,
    evidence: [
      client.evidence,
      {
        request,
        status: outcome.status,
        note: `Location params: ${[...location.searchParams.keys()].join(', ')} (read, not followed)`,
      },
    ],
  });
}
