import { createHash } from 'node:crypto';

/**
 * What `get_secret_from_vault` may reveal about a secret: enough to prove the server really read it
 * (length + an 8-hex-char SHA-256 fingerprint prefix a person can compare with `az keyvault secret show`
 * piped through sha256sum) and never the value itself.
 */
export interface SecretMetadata {
  name: string;
  version: string | null;
  enabled: boolean;
  createdOn: string | null;
  updatedOn: string | null;
  contentType: string | null;
  valueLength: number;
  /** First 8 hex chars of SHA-256(value). */
  fingerprint: string;
  source: 'local-file' | 'key-vault';
}

/** One small interface so the tool does not care whether secrets come from a file or from Key Vault. */
export interface SecretStore {
  getSecretMetadata(name: string): Promise<SecretMetadata>;
}

export type SecretErrorCode = 'invalid_secret_name' | 'secret_not_found' | 'secret_store_unavailable';

export class SecretError extends Error {
  constructor(
    readonly code: SecretErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretError';
  }
}

/** Key Vault's own naming rule (1–127 of 0-9a-zA-Z-); checked before any I/O so names cannot carry paths. */
export function assertSecretName(name: string): void {
  if (!/^[0-9a-zA-Z-]{1,127}$/.test(name)) {
    throw new SecretError('invalid_secret_name', 'Secret names are 1-127 characters of 0-9, a-z, A-Z and -');
  }
}

export function fingerprintSecret(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
}
