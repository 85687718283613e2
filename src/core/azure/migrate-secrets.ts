/**
 * Migrate Secrets to Key Vault: writes the secrets the secure server reads into the deployment's vault.
 * The vault is in RBAC mode and the signed-in user normally has no data-plane role on it, so: a
 * temporary Key Vault Secrets Officer grant (scoped to that vault) for the signed-in principal, the
 * writes — retried while the new grant propagates to the data plane (403 ForbiddenByRbac; bounded) —
 * and the grant removed afterwards: on success, on failure and on cancellation (`signal`: the CLI aborts
 * it on SIGINT/SIGTERM, the extension on the notification's Cancel). The grant is created inside the
 * `try` whose `finally` removes it, and it is marked (temporary-grant.ts) so a run that died anyway — a
 * crash, a kill -9 — is cleaned up by the next run and flagged by Verify Deployment. Values are never
 * logged or returned.
 */
import { randomUUID } from 'node:crypto';
import { SecretClient } from '@azure/keyvault-secrets';
import { decodeJwt } from 'jose';
import { SherpaError } from '../errors';
import { azureClients, listAll, type AzureContext } from './azure-context';
import { toAzureError } from './azure-errors';
import {
  createTemporaryGrant,
  removeStaleGrants,
  removeTemporaryGrant,
  type GrantTarget,
} from './temporary-grant';

export interface MigrateSecretsOptions {
  secrets: { name: string; value: string }[];
  /** Attempts per secret while RBAC propagates (default 24) and the wait between them (default 5 s). */
  maxAttempts?: number;
  retryDelayMs?: number;
  onProgress?: (message: string) => void;
  /** Aborting stops the run between (and during) requests; the temporary grant is still removed. */
  signal?: AbortSignal;
}

export interface MigrateSecretsResult {
  vault: string;
  written: string[];
  /** Attempts it took for the first write (> 1: the grant was still propagating). */
  firstWriteAttempts: number;
  grant: 'temporary-removed' | 'already-held';
  /** Temporary grants an earlier, interrupted run had left on the vault, removed before this run's. */
  staleGrantsRemoved: string[];
}

const isVaultHost = (host: string) =>
  /\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)$/i.test(host);

/**
 * Writes `o.secrets` into the resource group's vault under a temporary, marked Key Vault Secrets Officer
 * grant for the signed-in principal: a leftover grant of an interrupted run is removed first, this run's
 * is removed in a finally (abort included), and 403s while the role propagates are retried.
 */
export async function migrateSecrets(
  ctx: AzureContext,
  o: MigrateSecretsOptions,
): Promise<MigrateSecretsResult> {
  const progress = o.onProgress ?? (() => {});
  const c = azureClients(ctx);
  const vault = await findVault(c, ctx.resourceGroup);
  const target: GrantTarget = {
    vaultId: vault.id,
    vaultName: vault.name,
    subscriptionId: ctx.subscriptionId,
    ...(await signedInPrincipal(ctx)),
  };
  const staleGrantsRemoved = await removeStaleGrants(c, target);
  if (staleGrantsRemoved.length)
    progress(
      `removed ${staleGrantsRemoved.length} temporary grant(s) an interrupted run left on ${vault.name}`,
    );

  const client = new SecretClient(vault.uri, ctx.credential, {
    // Outside Azure's vault domains (a private cloud, the tests' stand-in) the challenge's resource
    // cannot match the host; that domain check alone is turned off.
    disableChallengeResourceVerification: !isVaultHost(new URL(vault.uri).hostname),
    retryOptions: { maxRetries: 2 },
  });
  const written: string[] = [];
  let firstWriteAttempts = 0;
  // Named before the request: if the run is cut off while the PUT is in flight, the finally still knows
  // what to delete (deleting a name that was never created is a no-op).
  const name = randomUUID();
  let grant: MigrateSecretsResult['grant'] | undefined;
  try {
    checkAborted(o.signal);
    progress(`granting you Key Vault Secrets Officer on ${vault.name} for this run`);
    grant = 'temporary-removed';
    try {
      if (!(await createTemporaryGrant(c, target, name, o.signal))) grant = 'already-held';
    } catch (err) {
      checkAborted(o.signal); // cut off in flight: it may exist, so the finally removes it
      grant = undefined; // refused: nothing to remove
      throw toAzureError(
        err,
        `grant Key Vault Secrets Officer on ${vault.name}`,
        'Role Based Access Control Administrator (or Owner)',
      );
    }
    for (const secret of o.secrets) {
      const attempts = await writeSecret(client, secret, vault.name, o, progress);
      if (!written.length) firstWriteAttempts = attempts;
      written.push(secret.name);
    }
  } finally {
    if (grant === 'temporary-removed') {
      progress(`removing the temporary Secrets Officer grant on ${vault.name}`);
      await removeTemporaryGrant(c, target, name);
    }
  }
  return { vault: vault.name, written, firstWriteAttempts, grant, staleGrantsRemoved };
}

/** The resource group's key vault (AZURE_NOT_FOUND: provision first). */
async function findVault(
  c: ReturnType<typeof azureClients>,
  resourceGroup: string,
): Promise<{ id: string; name: string; uri: string }> {
  const vaults = await listAll(c.keyVault.vaults.listByResourceGroup(resourceGroup)).catch((err: unknown) => {
    throw toAzureError(err, `list the key vaults in ${resourceGroup}`);
  });
  const vault = vaults[0];
  if (!vault?.id || !vault.properties?.vaultUri) {
    throw new SherpaError('AZURE_NOT_FOUND', `No key vault in ${resourceGroup}`, {
      hint: 'Run `sherpa azure provision` first.',
    });
  }
  return { id: vault.id, name: vault.name!, uri: vault.properties.vaultUri };
}

/** Who is signed in: the `oid` of the Resource Manager token (read, not verified: it is our own token). */
async function signedInPrincipal(
  ctx: AzureContext,
): Promise<Pick<GrantTarget, 'principalId' | 'principalType'>> {
  const token = await ctx.credential.getToken(`${ctx.endpoints.resourceManager}/.default`);
  const claims = token ? decodeJwt(token.token) : {};
  const principalId = typeof claims.oid === 'string' ? claims.oid : undefined;
  if (!principalId) {
    throw new SherpaError('AZURE_SIGN_IN_REQUIRED', 'Could not tell who is signed in (no oid in the token)', {
      hint: 'Sign in as a user or service principal of the tenant (az login).',
    });
  }
  return { principalId, principalType: claims.idtyp === 'app' ? 'ServicePrincipal' : 'User' };
}

/**
 * One secret written; a 403 means the grant has not reached Key Vault yet (RBAC propagation): waited
 * for up to `maxAttempts` times. Returns the attempts it took.
 */
async function writeSecret(
  client: SecretClient,
  secret: { name: string; value: string },
  vaultName: string,
  o: MigrateSecretsOptions,
  progress: (message: string) => void,
): Promise<number> {
  const maxAttempts = o.maxAttempts ?? 24;
  const delay = o.retryDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    checkAborted(o.signal);
    try {
      await client.setSecret(secret.name, secret.value, { contentType: 'text/plain', abortSignal: o.signal });
      progress(`wrote ${secret.name}`);
      return attempt;
    } catch (err) {
      checkAborted(o.signal);
      const e = err as { statusCode?: number; code?: string; message?: string };
      const propagating = e.statusCode === 403;
      if (!propagating || attempt >= maxAttempts) {
        if (propagating) {
          throw new SherpaError(
            'AZURE_RBAC_PROPAGATION_TIMEOUT',
            `The Secrets Officer grant on ${vaultName} did not reach Key Vault after ${attempt} attempts`,
            {
              hint: 'RBAC can take several minutes to propagate: run migrate-secrets again (it is idempotent), or raise --rbac-max-attempts.',
            },
          );
        }
        throw toAzureError(err, `write ${secret.name} to ${vaultName}`, 'Key Vault Secrets Officer');
      }
      progress(
        `waiting for the role to propagate (attempt ${attempt}/${maxAttempts}, 403 ${e.code ?? 'Forbidden'})`,
      );
      await sleep(delay, o.signal);
    }
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SherpaError('AZURE_CANCELLED', 'Migrate Secrets was cancelled', {
      hint: 'The temporary grant was removed; secrets written before the cancellation stay in the vault. Run it again to finish.',
    });
  }
}

/** A wait that ends early when the run is cancelled. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(); // aborted already (e.g. from the progress callback just before)
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
