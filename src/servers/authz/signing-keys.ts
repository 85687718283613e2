import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { SherpaError } from '../../core/errors';

/**
 * The private JWK set the lab signs with. Kept on disk so tokens stay verifiable across restarts.
 * `keys[0]` signs; every key is published. `next` is a key published ahead of use (Entra's rollover:
 * relying parties see a key in the JWKS before any token names it): it sits in `keys` but signs only
 * from `activatesAt` (epoch ms) on.
 */
export interface PrivateJwks {
  keys: JWK[];
  next?: { kid: string; activatesAt: number };
}

/** A dataDir whose key files cannot be used (start-up error SIGNING_KEYS_UNREADABLE, details.file). */
function keyFileError(file: 'jwks' | 'cookie-keys', message: string): SherpaError {
  return new SherpaError('SIGNING_KEYS_UNREADABLE', message, {
    hint: 'Move the file aside to let the lab create new keys (tokens it signed before stop verifying).',
    details: { file },
  });
}

const JWKS_FILE = 'jwks.json';
const COOKIE_KEYS_FILE = 'cookie-keys.json';
/** Current key + the previous one: enough for tokens issued before a rotation to outlive it (RFC 7517 §5). */
const MAX_KEYS = 2;

/** Path of the private JWK set inside a data directory. */
export function jwksPath(dataDir: string): string {
  return join(dataDir, JWKS_FILE);
}

/**
 * Writes a file readable by its owner only (mode 0600): these files are the lab's private keys. The
 * write goes to a temporary file first so a crash never leaves half a key set behind.
 */
async function writePrivateFile(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** Creates one RS256 signing key as a private JWK with a thumbprint `kid` (RFC 7638). */
async function createSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

async function readJsonFile(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as unknown;
}

function isPrivateJwks(value: unknown): value is PrivateJwks {
  if (typeof value !== 'object' || value === null) return false;
  const keys = (value as { keys?: unknown }).keys;
  return (
    Array.isArray(keys) &&
    keys.length > 0 &&
    keys.every((k) => typeof k === 'object' && k !== null && typeof (k as JWK).kid === 'string' && 'd' in k)
  );
}

/**
 * Loads `dataDir/jwks.json`, creating it with one fresh key on first start. The first key in the set is
 * the one oidc-provider signs with; the others remain in the published JWKS for verification.
 */
export async function loadOrCreateSigningKeys(dataDir: string): Promise<PrivateJwks> {
  await mkdir(dataDir, { recursive: true });
  const path = jwksPath(dataDir);
  const existing = await readJsonFile(path).catch((err: Error) => {
    throw keyFileError('jwks', `Cannot read ${path}: ${err.message}`);
  });
  if (existing !== undefined) {
    if (!isPrivateJwks(existing)) {
      throw keyFileError('jwks', `${path} is not a private JWK set with kids`);
    }
    // A copied or hand-edited key file may have lost its mode; private keys stay owner-only.
    await chmod(path, 0o600);
    const activated = activateDueKey(existing, Date.now());
    if (activated !== existing) await writePrivateFile(path, JSON.stringify(activated, null, 2));
    return activated;
  }
  const jwks: PrivateJwks = { keys: [await createSigningJwk()] };
  await writePrivateFile(path, JSON.stringify(jwks, null, 2));
  return jwks;
}

/**
 * Adds a new signing key to `dataDir/jwks.json` (RFC 7517 §5, key rollover).
 *
 * `activateInMs` = 0 (default): the new key goes first and signs from the next start (or at once in a
 * running lab), the previous one stays published so tokens signed before still verify.
 * `activateInMs` > 0 — the way Entra rolls keys: the new key is PUBLISHED now (second in the set, marked
 * `next`) and SIGNS only from `now + activateInMs`, so relying parties can fetch it before the first
 * token names it. A running lab watches the file: it publishes at once and switches at that time without
 * a restart (authz/index.ts). Once active, the set is trimmed to the new key and the one before it.
 */
export async function rotateSigningKeys(
  dataDir: string,
  o: { activateInMs?: number; now?: number } = {},
): Promise<{ kid: string; activatesAt: number }> {
  const current = await loadOrCreateSigningKeys(dataDir);
  const fresh = await createSigningJwk();
  const kid = fresh.kid as string;
  const now = o.now ?? Date.now();
  const delay = Math.max(0, o.activateInMs ?? 0);
  const [signing, ...rest] = current.keys.filter((k) => k.kid !== current.next?.kid);
  const jwks: PrivateJwks =
    delay === 0
      ? { keys: [fresh, ...current.keys].slice(0, MAX_KEYS) }
      : { keys: [signing!, fresh, ...rest].slice(0, MAX_KEYS + 1), next: { kid, activatesAt: now + delay } };
  await writePrivateFile(jwksPath(dataDir), JSON.stringify(jwks, null, 2));
  return { kid, activatesAt: now + delay };
}

/**
 * The set as it should be at `now`: a `next` key whose time has come moves first and the set is trimmed
 * to it and the key it replaces. Returns the same object when nothing is due.
 */
export function activateDueKey(jwks: PrivateJwks, now: number): PrivateJwks {
  if (!jwks.next || jwks.next.activatesAt > now) return jwks;
  const next = jwks.keys.find((k) => k.kid === jwks.next!.kid);
  if (!next) return { keys: jwks.keys };
  return { keys: [next, ...jwks.keys.filter((k) => k !== next)].slice(0, MAX_KEYS) };
}

/**
 * Loads (or creates) the keys oidc-provider signs its cookies with. Persisted so a browser's sign-in
 * session survives a lab restart; random 32-byte values, never logged.
 */
export async function loadOrCreateCookieKeys(dataDir: string): Promise<string[]> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, COOKIE_KEYS_FILE);
  const existing = await readJsonFile(path).catch((err: Error) => {
    throw keyFileError('cookie-keys', `Cannot read ${path}: ${err.message}`);
  });
  if (Array.isArray(existing) && existing.length > 0 && existing.every((k) => typeof k === 'string')) {
    return existing as string[];
  }
  if (existing !== undefined) {
    throw keyFileError('cookie-keys', `${path} is not a list of keys`);
  }
  const keys = [randomBytes(32).toString('base64url')];
  await writePrivateFile(path, JSON.stringify(keys));
  return keys;
}
