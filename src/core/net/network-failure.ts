/**
 * THE wording of a failed connection, for every edge: `sherpa connect`, `sherpa audit`, and the
 * extension's notifications say the same sentence for the same failure. One plain sentence per kind that
 * names the host once (the person typed the URL; repeating it hides the cause), and one next step. The
 * platform's code (ECONNREFUSED, CERT_HAS_EXPIRED, …) stays in `details.code` for the log and the tests,
 * never on screen.
 *
 * Kinds come from the error codes Node's `net`/`tls`/`dns` and undici set (getaddrinfo(3) EAI_* names,
 * OpenSSL's X509_V_ERR_* names as Node spells them), found anywhere in the cause chain — fetch wraps them
 * in a TypeError, happy eyeballs in an AggregateError.
 */
import { SherpaError } from '../errors';
import { toTerminalLine } from '../untrusted-text';
import { isLoopbackHost } from './loopback';

export type NetworkFailureKind =
  | 'refused'
  | 'name-not-found'
  | 'tls-untrusted'
  | 'tls-expired'
  | 'tls-hostname'
  | 'tls'
  | 'timed-out'
  | 'connection-lost'
  | 'unreachable';

const KIND_OF_CODE: Record<string, NetworkFailureKind> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'name-not-found',
  EAI_NONAME: 'name-not-found',
  EAI_AGAIN: 'name-not-found',
  EAI_FAIL: 'name-not-found',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls-untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls-untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls-untrusted',
  CERT_UNTRUSTED: 'tls-untrusted',
  CERT_REVOKED: 'tls-untrusted',
  CERT_SIGNATURE_FAILURE: 'tls-untrusted',
  CERT_HAS_EXPIRED: 'tls-expired',
  CERT_NOT_YET_VALID: 'tls-expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls-hostname',
  HOSTNAME_MISMATCH: 'tls-hostname',
  EPROTO: 'tls',
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'timed-out',
  ETIMEDOUT: 'timed-out',
  ESOCKETTIMEDOUT: 'timed-out',
  UND_ERR_CONNECT_TIMEOUT: 'timed-out',
  UND_ERR_HEADERS_TIMEOUT: 'timed-out',
  UND_ERR_BODY_TIMEOUT: 'timed-out',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
  UND_ERR_SOCKET: 'connection-lost',
  UND_ERR_CLOSED: 'connection-lost',
  ENETUNREACH: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
};

export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** The platform's code, for the log (never shown as the sentence). */
  code: string;
}

/**
 * The kind of network failure behind `err` (itself, its cause chain, or an AggregateError's errors),
 * undefined when it is not one — an HTTP answer, a refusal of the guarded fetch, a person's Cancel.
 */
export function classifyNetworkFailure(err: unknown): NetworkFailure | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length && seen.size < 16) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (e instanceof SherpaError) {
      const kind = e.details?.networkFailure as NetworkFailureKind | undefined;
      if (e.code === 'SERVER_UNREACHABLE' && kind) return { kind, code: String(e.details?.code ?? kind) };
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      const kind = KIND_OF_CODE[code] ?? (code.startsWith('ERR_SSL_') ? 'tls' : undefined);
      if (kind) return { kind, code };
    }
    queue.push((e as { cause?: unknown }).cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

/** Where the failure happened: the host (and port when it is not the scheme's), printable. */
function hostOf(url: string | URL): { label: string; loopback: boolean } {
  try {
    const u = new URL(url);
    return { label: toTerminalLine(u.host, 200), loopback: isLoopbackHost(u.hostname) };
  } catch {
    return { label: toTerminalLine(String(url), 200), loopback: false };
  }
}

export interface NetworkFailureWording {
  /** Who did not answer, e.g. "the authorization server"; default the host alone. */
  role?: string;
  /** The next step when nothing listens on loopback (an edge names its own way to start the lab). */
  startLocalServer?: string;
  /** For `timed-out` when the caller knows its bound. */
  timeoutMs?: number;
}

const DEFAULT_START_LOCAL = 'Is the server running? For the local lab, run `sherpa lab` (or `npm run lab`).';

/** One plain sentence and one next step for `kind` at `url`. */
export function describeNetworkFailure(
  kind: NetworkFailureKind,
  url: string | URL,
  o: NetworkFailureWording = {},
): { message: string; hint: string } {
  const { label, loopback } = hostOf(url);
  const at = o.role ? `${o.role} at ${label}` : label;
  switch (kind) {
    case 'refused':
      return {
        message: `Nothing is accepting connections at ${at}.`,
        hint: loopback
          ? (o.startLocalServer ?? DEFAULT_START_LOCAL)
          : 'Check the port in the address, and that the server is up.',
      };
    case 'name-not-found':
      return {
        message: `The name ${label} could not be found.`,
        hint: 'Check the spelling of the address; for a private name, check that you are on that network (VPN).',
      };
    case 'tls-untrusted':
      return {
        message: `The certificate of ${at} is not from an authority this machine trusts.`,
        hint: "If your organisation uses its own certificate authority, add it with NODE_EXTRA_CA_CERTS; otherwise don't connect.",
      };
    case 'tls-expired':
      return {
        message: `The certificate of ${at} has expired or is not valid yet.`,
        hint: "Ask the server's owner to renew it, and check this machine's date and time.",
      };
    case 'tls-hostname':
      return {
        message: `The certificate of ${at} is for another name.`,
        hint: "Use the server's own name in the address (not an alias or an IP address).",
      };
    case 'tls':
      return {
        message: `A secure connection to ${at} could not be set up.`,
        hint: 'Check that the address uses https only where the server speaks TLS (and http where it does not).',
      };
    case 'timed-out':
      return {
        message: `No answer came from ${at}${o.timeoutMs ? ` within ${duration(o.timeoutMs)}` : ' in time'}.`,
        hint: 'Try again; if it keeps happening, check the address and whether a firewall or proxy drops the traffic.',
      };
    case 'connection-lost':
      return {
        message: `The connection to ${at} was closed before it answered.`,
        hint: 'Try again; if it keeps happening, check that the address points at an MCP server (and the right port).',
      };
    case 'unreachable':
      return {
        message: `This machine has no network route to ${at}.`,
        hint: 'Check your network connection, VPN or proxy settings.',
      };
  }
}

/**
 * SERVER_UNREACHABLE for a network failure behind `err`, worded by kind; undefined when `err` is not a
 * network failure. `details` keeps the kind and the platform code (for the log and the tests).
 */
export function toNetworkFailureError(
  err: unknown,
  url: string | URL,
  o: NetworkFailureWording = {},
): SherpaError | undefined {
  // Already worded (by the guarded fetch, perhaps wrapped by a library since): keep its sentence.
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SherpaError && e.code === 'SERVER_UNREACHABLE' && e.details?.networkFailure) return e;
  }
  const failure = classifyNetworkFailure(err);
  if (!failure) return undefined;
  return networkFailureError(failure, url, o, err);
}

/** SERVER_UNREACHABLE of `failure` at `url` (with `cause` for the log). */
export function networkFailureError(
  failure: NetworkFailure,
  url: string | URL,
  o: NetworkFailureWording = {},
  cause?: unknown,
): SherpaError {
  const { message, hint } = describeNetworkFailure(failure.kind, url, o);
  return new SherpaError('SERVER_UNREACHABLE', message, {
    ...(cause === undefined ? {} : { cause }),
    hint,
    details: {
      networkFailure: failure.kind,
      code: failure.code,
      host: hostOf(url).label,
      loopback: hostOf(url).loopback,
    },
  });
}

/**
 * The same failure as another edge would word its next step: the extension names its command to start
 * the lab instead of the CLI's. Anything else is returned as it is.
 */
export function withStartLocalServerHint(err: unknown, startLocalServer: string): unknown {
  if (
    !(err instanceof SherpaError) ||
    err.code !== 'SERVER_UNREACHABLE' ||
    err.details?.networkFailure !== 'refused' ||
    err.details.loopback !== true
  )
    return err;
  return new SherpaError(err.code, err.message, { cause: err, hint: startLocalServer, details: err.details });
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** Which request the authorization server refused (RFC 6749 §4.1.2.1, §5.2; RFC 7591 §3.2.2). */
export type RefusedStep = 'authorization-request' | 'sign-in' | 'token' | 'registration';

/**
 * The other way a connection ends before a token: the authorization server answered, and said no. One
 * plain sentence per step, naming the server by its host and quoting what it said (printable, bounded);
 * protocol names (RFC 7591, CIMD, …) stay in `details` and the log.
 */
export function describeAuthorizationRefusal(
  step: RefusedStep,
  said: string,
  o: { issuer?: string | URL; status?: number } = {},
): string {
  const where = o.issuer ? ` at ${hostOf(o.issuer).label}` : '';
  const what = toTerminalLine(said, 300);
  const quoted = o.status ? `HTTP ${o.status}${what ? `: ${what}` : ''}` : what;
  const because = quoted ? ` (${quoted})` : '';
  switch (step) {
    case 'authorization-request':
      return `The authorization server${where} refused the sign-in request${because} before any sign-in page.`;
    case 'sign-in':
      return `The authorization server${where} refused the sign-in${because}.`;
    case 'token':
      return `The authorization server${where} refused to issue a token${because}.`;
    case 'registration':
      return `The authorization server${where} refused to register Sherpa as a client${because}.`;
  }
}
