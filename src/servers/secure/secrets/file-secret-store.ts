import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  SecretError,
  assertSecretName,
  fingerprintSecret,
  type SecretMetadata,
  type SecretStore,
} from './secret-store';
import { EXPECTED_SECRET_NAMES } from '../../../core/azure/built-in-roles';

interface StoredSecret {
  value: string;
  version: string;
  enabled: boolean;
  contentType: string | null;
  created: string;
  updated: string;
}
interface SecretsFile {
  secrets: Record<string, StoredSecret>;
}

/**
 * The demo secrets the lab creates, with fresh random values, the first time the file is needed: the
 * names Verify Deployment expects in a real Key Vault, from their one home in core.
 */
const DEMO_SECRET_NAMES = EXPECTED_SECRET_NAMES;

/**
 * The lab's stand-in for Key Vault: a JSON file in the lab's data dir, mode 0600 (only the user who runs
 * the lab can read it). Created on first use with random demo values, so no secret ever lives in the repo.
 */
export class FileSecretStore implements SecretStore {
  constructor(private readonly path: string) {}

  async getSecretMetadata(name: string): Promise<SecretMetadata> {
    assertSecretName(name);
    const file = await ensureSecretsFile(this.path);
    const secret = Object.hasOwn(file.secrets, name) ? file.secrets[name] : undefined;
    if (!secret) throw new SecretError('secret_not_found', `No secret named '${name}'`);
    return {
      name,
      version: secret.version,
      enabled: secret.enabled,
      createdOn: secret.created,
      updatedOn: secret.updated,
      contentType: secret.contentType,
      valueLength: secret.value.length,
      fingerprint: fingerprintSecret(secret.value),
      source: 'local-file',
    };
  }
}

/** Reads the secrets file, creating it (dir 0700, file 0600) with the demo secrets when it is absent. */
export async function ensureSecretsFile(path: string): Promise<SecretsFile> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as SecretsFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SecretError('secret_store_unavailable', 'The local secrets file could not be read');
    }
  }
  const now = new Date().toISOString();
  const file: SecretsFile = { secrets: {} };
  for (const name of DEMO_SECRET_NAMES) {
    file.secrets[name] = {
      value: randomBytes(24).toString('base64url'),
      version: randomUUID().replace(/-/g, ''),
      enabled: true,
      contentType: 'text/plain',
      created: now,
      updated: now,
    };
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // 'wx': if another process created it meanwhile, keep theirs.
  try {
    await writeFile(path, JSON.stringify(file, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return JSON.parse(await readFile(path, 'utf8')) as SecretsFile;
    throw new SecretError('secret_store_unavailable', 'The local secrets file could not be created');
  }
  await chmod(path, 0o600); // umask cannot loosen it, but be explicit
  return file;
}
