/**
 * The live half of Verify Deployment: real requests to the secure MCP server, as an attacker or a
 * careless client would send them. RFC 6750 §3.1 (401 + Bearer challenge; `invalid_token` for a bad
 * token), RFC 9728 §5.1 (`resource_metadata` in the challenge) and §3.3 (`resource` equals the URL).
 */
import { randomUUID } from 'node:crypto';
import { findProtectedResourceMetadata } from '../audit/checks-metadata';
import { describeStatus, send, type AuditContext } from '../audit/context';
import type { Evidence } from '../audit/findings';
import type { ProbeResult } from '../audit/probe';
import { createAuditContext } from '../audit/run-audit';
import { isSherpaError } from '../errors';
import { validateProtectedResourceMetadata } from '../discovery/protected-resource';
import { findBearerChallenge } from '../discovery/www-authenticate';
import { signWithAttackerKey, withChangedClaims } from '../token/forge';
import type { VerifyCheck } from './verify-checks';

export interface LiveProbeOptions {
  /** The secure server's public MCP URL (…/mcp). */
  url: string;
  /** Expected `iss` and API client id, to make the forged tokens look right in every claim but the key. */
  issuer?: string;
  audience?: string;
  /** Where the probes come from a lab that can sign real tokens: a validly signed token for ANOTHER API… */
  otherAudienceToken?: () => Promise<string>;
  /** …and a validly signed but expired one. Without these, forged tokens (unknown key) stand in. */
  expiredToken?: () => Promise<string>;
  timeoutMs?: number;
}

/** One initialize to the server through the audit's probe client; a bearer token when given. */
function post(ctx: AuditContext, token?: { value: string; label: string }): Promise<ProbeResult> {
  return send(ctx, { rpc: 'initialize', ...(token ? { token } : {}) });
}

/** `401 Bearer …` or `no answer (…)` in the words connect and the audit use, for evidence. */
function describe(r: ProbeResult): string {
  return r.status === 'error'
    ? describeStatus(r)
    : `${r.status} ${r.headers['www-authenticate'] ?? ''}`.trim();
}

/** `GET <url>: 404` per PRM request the audit's discovery made. */
function describeFetches(evidence: Evidence[]): string {
  return evidence
    .map((e) => `${e.request.replace(/^GET /, '')}: ${e.status === 'error' ? (e.note ?? 'error') : e.status}`)
    .join('; ');
}

/** The secure server's 503 before `sherpa azure configure` (servers/secure/awaiting-configuration.ts): its message. */
function awaitingConfiguration(r: ProbeResult): string | undefined {
  if (r.status !== 503) return undefined;
  try {
    const body = JSON.parse(r.body) as { error?: { message?: unknown; data?: { state?: unknown } } };
    return body.error?.data?.state === 'awaiting-configuration' ? String(body.error.message) : undefined;
  } catch {
    return undefined;
  }
}

export const AWAITING_REMEDY =
  'Run `sherpa azure register` (the API app registration), then `sherpa azure configure` (sets SHERPA_API_CLIENT_ID on the app and in the azd environment).';

/** A token that looks right in every claim but is signed by a key the issuer never published. */
function forgedToken(o: LiveProbeOptions, claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signWithAttackerKey(
    {
      scp: 'access_as_user',
      ver: '2.0',
      iss: o.issuer ?? 'https://login.microsoftonline.com/common/v2.0',
      aud: o.audience ?? 'api://sherpa',
      iat: now - 60,
      exp: now + 600,
      ...claims,
    },
    `sherpa-verify-${randomUUID().slice(0, 8)}`,
  );
}

/**
 * The live probes in order: no token (1), the PRM (2–3), then bad tokens (4–6) unless the server awaits
 * configuration — then one failing check says so and the token probes are skipped, not failed.
 */
export async function runLiveProbes(o: LiveProbeOptions): Promise<VerifyCheck[]> {
  // The audit's probe engine: its HTTP client for the server, its guarded fetch for every URL the
  // server names (the challenge's resource_metadata included: RFC 9728 §7.7, no SSRF from a challenge).
  const ctx = await createAuditContext(o.url, o.timeoutMs ? { timeoutMs: o.timeoutMs } : {});
  const anon = await post(ctx);
  const awaiting = awaitingConfiguration(anon);
  const challenge = findBearerChallenge(anon.headers['www-authenticate']);
  if (challenge) ctx.challenge = challenge;
  const noToken = noTokenCheck(o, anon, awaiting);
  const metadata = await metadataChecks(ctx, o);
  return [noToken, ...metadata, ...(await badTokenChecks(ctx, o, awaiting))];
}

/** 1. No token → 401 with a Bearer challenge that carries resource_metadata. */
function noTokenCheck(o: LiveProbeOptions, anon: ProbeResult, awaiting: string | undefined): VerifyCheck {
  const check = { id: 'probe-no-token', title: 'No token → 401 with resource_metadata' };
  const wwwAuthenticate = anon.headers['www-authenticate'];
  if (anon.status === 'error') {
    return {
      ...check,
      status: 'fail',
      evidence: `${o.url}: ${describe(anon)}`,
      remedy: 'Check SECURE_SERVER_URL and that the app is running (revision state).',
    };
  }
  if (awaiting) {
    // One failing check for the whole state.
    return {
      ...check,
      status: 'fail',
      evidence: `503 awaiting configuration: ${awaiting}`,
      remedy: AWAITING_REMEDY,
    };
  }
  if (anon.status === 401 && findBearerChallenge(wwwAuthenticate)?.resourceMetadata) {
    return { ...check, status: 'pass', evidence: `401, WWW-Authenticate: ${wwwAuthenticate}`, remedy: '' };
  }
  return {
    ...check,
    status: 'fail',
    evidence: `${anon.status}${wwwAuthenticate ? `, WWW-Authenticate: ${wwwAuthenticate}` : ', no WWW-Authenticate'}`,
    remedy: 'The server must answer 401 with Bearer resource_metadata=… (RFC 9728 §5.1).',
  };
}

/**
 * 2. PRM `resource` equals the URL; 3. scopes_supported fully qualified. Found the audit's way: the
 * challenge's resource_metadata first, then the well-known URLs under the server URL (a misconfigured
 * server may point its challenge at a host that does not answer).
 */
async function metadataChecks(ctx: AuditContext, o: LiveProbeOptions): Promise<VerifyCheck[]> {
  const discovered = await findProtectedResourceMetadata(ctx);
  const prm = discovered.found?.metadata as { resource?: unknown; scopes_supported?: unknown } | undefined;
  const prmUrl = discovered.found?.url ?? '';
  return [prmResourceCheck(o.url, prm, prmUrl, describeFetches(discovered.evidence)), scopesCheck(prm)];
}

function prmResourceCheck(
  url: string,
  prm: { resource?: unknown } | undefined,
  prmUrl: string,
  fetches: string,
): VerifyCheck {
  const check = {
    id: 'prm-resource',
    title: 'Protected Resource Metadata `resource` equals the server URL',
  };
  if (!prm) {
    return {
      ...check,
      status: 'fail',
      evidence: fetches,
      remedy: 'Serve RFC 9728 metadata at /.well-known/oauth-protected-resource/mcp.',
    };
  }
  try {
    validateProtectedResourceMetadata(prm, url, prmUrl);
    return { ...check, status: 'pass', evidence: `${prmUrl}: resource ${String(prm.resource)}`, remedy: '' };
  } catch (err) {
    const mismatch = isSherpaError(err, 'PRM_RESOURCE_MISMATCH');
    return {
      ...check,
      status: 'fail',
      evidence: `${prmUrl}: ${mismatch ? `resource ${String(prm.resource)} ≠ ${url}` : (err as Error).message}`,
      remedy: 'Set SHERPA_RESOURCE_URL on the secure app to its public MCP URL (sherpa azure configure).',
    };
  }
}

function scopesCheck(prm: { scopes_supported?: unknown } | undefined): VerifyCheck {
  const check = {
    id: 'scopes-qualified',
    title: 'scopes_supported is fully qualified ({identifier URI}/access_as_user)',
  };
  const list = Array.isArray(prm?.scopes_supported)
    ? (prm.scopes_supported as unknown[]).map(String)
    : undefined;
  if (!list) {
    return {
      ...check,
      status: prm ? 'fail' : 'skip',
      evidence: prm ? 'no scopes_supported in the metadata' : 'no metadata',
      remedy: 'Advertise `{identifier URI}/access_as_user` (SHERPA_SCOPES_SUPPORTED).',
    };
  }
  const bare = list.filter((sc) => !/^[a-z][a-z0-9+.-]*:\/\/[^/]+(\/.*)?\/[^/]+$/i.test(sc));
  if (bare.length || list.length === 0) {
    return {
      ...check,
      status: 'fail',
      evidence: `not fully qualified: ${bare.join(', ') || '(empty list)'} — Entra would read a bare scope as a Microsoft Graph permission`,
      remedy: 'Use `{identifier URI}/access_as_user` (SHERPA_SCOPES_SUPPORTED).',
    };
  }
  return { ...check, status: 'pass', evidence: list.join(' '), remedy: '' };
}

/** 4–6. Bad tokens → 401 invalid_token: another audience (lab only), expired, tampered. */
async function badTokenChecks(
  ctx: AuditContext,
  o: LiveProbeOptions,
  awaiting: string | undefined,
): Promise<VerifyCheck[]> {
  const probe = (id: string, title: string, token: () => Promise<string>, what: string) =>
    badTokenCheck(ctx, { id, title }, awaiting ? undefined : { token, what });
  const otherAudience = { id: 'probe-other-audience', title: 'A token for another audience → 401' };
  const checks: VerifyCheck[] = [
    o.otherAudienceToken
      ? await probe(
          otherAudience.id,
          otherAudience.title,
          o.otherAudienceToken,
          'validly signed token for another API',
        )
      : {
          ...otherAudience,
          status: 'skip',
          evidence:
            'needs a validly signed token for another API; Sherpa does not send your Azure tokens to the server',
          remedy: 'Run it against the local lab (sherpa azure verify --lab), where Sherpa can sign one.',
        },
  ];
  const now = Math.floor(Date.now() / 1000);
  checks.push(
    await probe(
      'probe-expired-token',
      'An expired token → 401',
      o.expiredToken ?? (() => forgedToken(o, { exp: now - 600, iat: now - 4200 })),
      o.expiredToken ? 'validly signed token that expired 10 min ago' : 'expired token (forged: unknown key)',
    ),
  );
  checks.push(
    await probe(
      'probe-tampered-token',
      'A tampered token → 401',
      async () => {
        const t = await (o.expiredToken ? o.expiredToken() : forgedToken(o, {}));
        // Payload edited after signing (a privilege grab), signature kept.
        return withChangedClaims(t, { exp: now + 3600, roles: ['Sherpa.Admin'] });
      },
      'payload edited after signing',
    ),
  );
  return checks;
}

/** One bad token sent; undefined `sent` = the server accepts no token yet (skipped, not failed). */
async function badTokenCheck(
  ctx: AuditContext,
  check: { id: string; title: string },
  sent: { token: () => Promise<string>; what: string } | undefined,
): Promise<VerifyCheck> {
  if (!sent) {
    return {
      ...check,
      status: 'skip',
      evidence: 'the server accepts no token yet (awaiting configuration, probe-no-token)',
      remedy: AWAITING_REMEDY,
    };
  }
  const r = await post(ctx, { value: await sent.token(), label: sent.what });
  const c = findBearerChallenge(r.headers['www-authenticate']);
  if (r.status === 401 && c?.error === 'invalid_token') {
    return {
      ...check,
      status: 'pass',
      evidence: `${sent.what} → 401 invalid_token${c.errorDescription ? ` (${c.errorDescription})` : ''}`,
      remedy: '',
    };
  }
  return {
    ...check,
    status: 'fail',
    evidence: `${sent.what} → ${describe(r)}`,
    remedy:
      'The server must verify signature, aud, exp and iss (jose jwtVerify) and answer 401 invalid_token.',
  };
}
