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

export async function runLiveProbes(o: LiveProbeOptions): Promise<VerifyCheck[]> {
  // The audit's probe engine: its HTTP client for the server, its guarded fetch for every URL the
  // server names (the challenge's resource_metadata included: RFC 9728 §7.7, no SSRF from a challenge).
  const ctx = await createAuditContext(o.url, o.timeoutMs ? { timeoutMs: o.timeoutMs } : {});
  const checks: VerifyCheck[] = [];

  // 1. No token → 401 with a Bearer challenge that carries resource_metadata.
  const anon = await post(ctx);
  const awaiting = awaitingConfiguration(anon);
  const wwwAuthenticate = anon.headers['www-authenticate'];
  const challenge = findBearerChallenge(wwwAuthenticate);
  if (challenge) ctx.challenge = challenge;
  const noToken = { id: 'probe-no-token', title: 'No token → 401 with resource_metadata' };
  if (anon.status === 'error') {
    checks.push({
      ...noToken,
      status: 'fail',
      evidence: `${o.url}: ${describe(anon)}`,
      remedy: 'Check SECURE_SERVER_URL and that the app is running (revision state).',
    });
  } else if (awaiting) {
    // One failing check for the whole state: the token probes below are skipped, not failed.
    checks.push({
      ...noToken,
      status: 'fail',
      evidence: `503 awaiting configuration: ${awaiting}`,
      remedy: AWAITING_REMEDY,
    });
  } else if (anon.status === 401 && challenge?.resourceMetadata) {
    checks.push({
      ...noToken,
      status: 'pass',
      evidence: `401, WWW-Authenticate: ${wwwAuthenticate}`,
      remedy: '',
    });
  } else {
    checks.push({
      ...noToken,
      status: 'fail',
      evidence: `${anon.status}${wwwAuthenticate ? `, WWW-Authenticate: ${wwwAuthenticate}` : ', no WWW-Authenticate'}`,
      remedy: 'The server must answer 401 with Bearer resource_metadata=… (RFC 9728 §5.1).',
    });
  }

  // 2. PRM `resource` equals the URL; 3. scopes_supported fully qualified. Found the audit's way: the
  // challenge's resource_metadata first, then the well-known URLs under the server URL (a misconfigured
  // server may point its challenge at a host that does not answer).
  const discovered = await findProtectedResourceMetadata(ctx);
  const prm = discovered.found?.metadata as { resource?: unknown; scopes_supported?: unknown } | undefined;
  const prmUrl = discovered.found?.url ?? '';
  const prmError = describeFetches(discovered.evidence);
  const prmResource = {
    id: 'prm-resource',
    title: 'Protected Resource Metadata `resource` equals the server URL',
  };
  if (!prm) {
    checks.push({
      ...prmResource,
      status: 'fail',
      evidence: prmError,
      remedy: 'Serve RFC 9728 metadata at /.well-known/oauth-protected-resource/mcp.',
    });
  } else {
    try {
      validateProtectedResourceMetadata(prm, o.url, prmUrl);
      checks.push({
        ...prmResource,
        status: 'pass',
        evidence: `${prmUrl}: resource ${String(prm.resource)}`,
        remedy: '',
      });
    } catch (err) {
      const mismatch = isSherpaError(err, 'PRM_RESOURCE_MISMATCH');
      checks.push({
        ...prmResource,
        status: 'fail',
        evidence: `${prmUrl}: ${mismatch ? `resource ${String(prm.resource)} ≠ ${o.url}` : (err as Error).message}`,
        remedy: 'Set SHERPA_RESOURCE_URL on the secure app to its public MCP URL (sherpa azure configure).',
      });
    }
  }
  const scopes = {
    id: 'scopes-qualified',
    title: 'scopes_supported is fully qualified ({identifier URI}/access_as_user)',
  };
  const list = Array.isArray(prm?.scopes_supported)
    ? (prm.scopes_supported as unknown[]).map(String)
    : undefined;
  if (!list) {
    checks.push({
      ...scopes,
      status: prm ? 'fail' : 'skip',
      evidence: prm ? 'no scopes_supported in the metadata' : 'no metadata',
      remedy: 'Advertise `{identifier URI}/access_as_user` (SHERPA_SCOPES_SUPPORTED).',
    });
  } else {
    const bare = list.filter((sc) => !/^[a-z][a-z0-9+.-]*:\/\/[^/]+(\/.*)?\/[^/]+$/i.test(sc));
    checks.push(
      bare.length || list.length === 0
        ? {
            ...scopes,
            status: 'fail',
            evidence: `not fully qualified: ${bare.join(', ') || '(empty list)'} — Entra would read a bare scope as a Microsoft Graph permission`,
            remedy: 'Use `{identifier URI}/access_as_user` (SHERPA_SCOPES_SUPPORTED).',
          }
        : { ...scopes, status: 'pass', evidence: list.join(' '), remedy: '' },
    );
  }

  // 4–6. Bad tokens → 401 invalid_token.
  const badToken = async (id: string, title: string, token: () => Promise<string>, what: string) => {
    if (awaiting) {
      checks.push({
        id,
        title,
        status: 'skip',
        evidence: 'the server accepts no token yet (awaiting configuration, probe-no-token)',
        remedy: AWAITING_REMEDY,
      });
      return;
    }
    const r = await post(ctx, { value: await token(), label: what });
    const c = findBearerChallenge(r.headers['www-authenticate']);
    if (r.status === 401 && c?.error === 'invalid_token') {
      checks.push({
        id,
        title,
        status: 'pass',
        evidence: `${what} → 401 invalid_token${c.errorDescription ? ` (${c.errorDescription})` : ''}`,
        remedy: '',
      });
    } else {
      checks.push({
        id,
        title,
        status: 'fail',
        evidence: `${what} → ${describe(r)}`,
        remedy:
          'The server must verify signature, aud, exp and iss (jose jwtVerify) and answer 401 invalid_token.',
      });
    }
  };
  if (o.otherAudienceToken) {
    await badToken(
      'probe-other-audience',
      'A token for another audience → 401',
      o.otherAudienceToken,
      'validly signed token for another API',
    );
  } else {
    checks.push({
      id: 'probe-other-audience',
      title: 'A token for another audience → 401',
      status: 'skip',
      evidence:
        'needs a validly signed token for another API; Sherpa does not send your Azure tokens to the server',
      remedy: 'Run it against the local lab (sherpa azure verify --lab), where Sherpa can sign one.',
    });
  }
  const now = Math.floor(Date.now() / 1000);
  await badToken(
    'probe-expired-token',
    'An expired token → 401',
    o.expiredToken ?? (() => forgedToken(o, { exp: now - 600, iat: now - 4200 })),
    o.expiredToken ? 'validly signed token that expired 10 min ago' : 'expired token (forged: unknown key)',
  );
  await badToken(
    'probe-tampered-token',
    'A tampered token → 401',
    async () => {
      const t = await (o.expiredToken ? o.expiredToken() : forgedToken(o, {}));
      // Payload edited after signing (a privilege grab), signature kept.
      return withChangedClaims(t, { exp: now + 3600, roles: ['Sherpa.Admin'] });
    },
    'payload edited after signing',
  );
  return checks;
}
