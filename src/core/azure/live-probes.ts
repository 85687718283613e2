/**
 * The live half of Verify Deployment: real requests to the secure MCP server, as an attacker or a
 * careless client would send them. RFC 6750 §3.1 (401 + Bearer challenge; `invalid_token` for a bad
 * token), RFC 9728 §5.1 (`resource_metadata` in the challenge) and §3.3 (`resource` equals the URL).
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { isSherpaError } from '../errors';
import { buildPrmCandidateUrls, validateProtectedResourceMetadata } from '../discovery/protected-resource';
import { findBearerChallenge } from '../discovery/www-authenticate';
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

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'sherpa-verify', version: '1' },
  },
});

interface ProbeResult {
  status: number;
  wwwAuthenticate: string | null;
  /** The server's message when it answered 503 awaiting configuration (no API client id yet). */
  awaiting?: string;
}

/** The secure server's 503 before `sherpa azure configure` (src/servers/secure/awaiting-configuration.ts). */
async function awaitingConfiguration(res: Response): Promise<string | undefined> {
  if (res.status !== 503) return undefined;
  const body = (await res.json().catch(() => undefined)) as
    { error?: { message?: unknown; data?: { state?: unknown } } } | undefined;
  return body?.error?.data?.state === 'awaiting-configuration' ? String(body.error.message) : undefined;
}

export const AWAITING_REMEDY =
  'Run `sherpa azure register` (the API app registration), then `sherpa azure configure` (sets SHERPA_API_CLIENT_ID on the app and in the azd environment).';

async function post(
  url: string,
  token: string | undefined,
  timeoutMs: number,
): Promise<ProbeResult | string> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: INITIALIZE,
    });
    const awaiting = await awaitingConfiguration(res);
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), awaiting };
  } catch (err) {
    return `unreachable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** A token that looks right in every claim but is signed by a key the issuer never published. */
async function forgedToken(o: LiveProbeOptions, claims: Record<string, unknown>): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `sherpa-verify-${(await exportJWK(publicKey)).n!.slice(0, 8)}`;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scp: 'access_as_user', ver: '2.0', ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
    .setIssuer(o.issuer ?? 'https://login.microsoftonline.com/common/v2.0')
    .setAudience(o.audience ?? 'api://sherpa')
    .setIssuedAt(now - 60)
    .setExpirationTime(now + 600)
    .sign(privateKey);
}

export async function runLiveProbes(o: LiveProbeOptions): Promise<VerifyCheck[]> {
  const timeout = o.timeoutMs ?? 10_000;
  const checks: VerifyCheck[] = [];

  // 1. No token → 401 with a Bearer challenge that carries resource_metadata.
  const anon = await post(o.url, undefined, timeout);
  const challenge = typeof anon === 'string' ? undefined : findBearerChallenge(anon.wwwAuthenticate);
  const noToken = { id: 'probe-no-token', title: 'No token → 401 with resource_metadata' };
  if (typeof anon === 'string') {
    checks.push({
      ...noToken,
      status: 'fail',
      evidence: `${o.url}: ${anon}`,
      remedy: 'Check SECURE_SERVER_URL and that the app is running (revision state).',
    });
  } else if (anon.awaiting) {
    // One failing check for the whole state: the token probes below are skipped, not failed.
    checks.push({
      ...noToken,
      status: 'fail',
      evidence: `503 awaiting configuration: ${anon.awaiting}`,
      remedy: AWAITING_REMEDY,
    });
  } else if (anon.status === 401 && challenge?.resourceMetadata) {
    checks.push({
      ...noToken,
      status: 'pass',
      evidence: `401, WWW-Authenticate: ${anon.wwwAuthenticate}`,
      remedy: '',
    });
  } else {
    checks.push({
      ...noToken,
      status: 'fail',
      evidence: `${anon.status}${anon.wwwAuthenticate ? `, WWW-Authenticate: ${anon.wwwAuthenticate}` : ', no WWW-Authenticate'}`,
      remedy: 'The server must answer 401 with Bearer resource_metadata=… (RFC 9728 §5.1).',
    });
  }

  // 2. PRM `resource` equals the URL; 3. scopes_supported fully qualified.
  // The challenge's resource_metadata first (RFC 9728 §5.1), then the well-known URL under the server URL:
  // a misconfigured server may point its challenge at a host that does not answer.
  const candidates = [
    ...new Set([challenge?.resourceMetadata, buildPrmCandidateUrls(o.url)[0]!.url].filter(Boolean)),
  ] as string[];
  let prm: { resource?: unknown; scopes_supported?: unknown } | undefined;
  let prmUrl = candidates[0]!;
  const prmErrors: string[] = [];
  for (const candidate of candidates) {
    try {
      const res = await fetch(candidate, {
        redirect: 'manual',
        signal: AbortSignal.timeout(timeout),
        headers: { accept: 'application/json' },
      });
      if (res.ok) {
        prm = (await res.json()) as typeof prm;
        prmUrl = candidate;
        break;
      }
      await res.body?.cancel();
      prmErrors.push(`${candidate}: ${res.status}`);
    } catch (err) {
      prmErrors.push(`${candidate}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const prmError = prmErrors.join('; ');
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
    if (typeof anon !== 'string' && anon.awaiting) {
      checks.push({
        id,
        title,
        status: 'skip',
        evidence: 'the server accepts no token yet (awaiting configuration, probe-no-token)',
        remedy: AWAITING_REMEDY,
      });
      return;
    }
    const r = await post(o.url, await token(), timeout);
    const c = typeof r === 'string' ? undefined : findBearerChallenge(r.wwwAuthenticate);
    if (typeof r !== 'string' && r.status === 401 && c?.error === 'invalid_token') {
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
        evidence: `${what} → ${typeof r === 'string' ? r : `${r.status} ${r.wwwAuthenticate ?? ''}`}`,
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
      const [h, p, sig] = t.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
      // Payload edited after signing (a privilege grab), signature kept.
      const edited = Buffer.from(
        JSON.stringify({ ...claims, exp: now + 3600, roles: ['Sherpa.Admin'] }),
      ).toString('base64url');
      return `${h}.${edited}.${sig}`;
    },
    'payload edited after signing',
  );
  return checks;
}
