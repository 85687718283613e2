import { unwatchFile, watchFile } from 'node:fs';
import { jwksPath, loadOrCreateSigningKeys, type PrivateJwks } from './signing-keys';

export interface KeyRolloverWatch {
  close(): void;
}

/** The kids in signing order: two sets with the same fingerprint need no new provider. */
export function keySetFingerprint(jwks: PrivateJwks): string {
  return jwks.keys.map((k) => k.kid).join(',');
}

/**
 * Follows `dataDir/jwks.json` while the authorization server runs, so `sherpa keys rotate` needs no
 * restart: a changed file (polled every `intervalMs`; rotation writes by rename, which changes the
 * inode) is re-read at once — a key published ahead of use appears in the JWKS within a poll — and a
 * timer fires when the `next` key's `activatesAt` comes, at which point loading the file activates it
 * (signing-keys.ts `activateDueKey`). `onKeys` is called with every set that differs from the last one.
 * A file that cannot be read is reported and the current keys stay in service.
 */
export function watchSigningKeys(
  dataDir: string,
  initial: PrivateJwks,
  onKeys: (jwks: PrivateJwks) => void,
  o: { intervalMs?: number; onError?: (err: Error) => void } = {},
): KeyRolloverWatch {
  const path = jwksPath(dataDir);
  let fingerprint = keySetFingerprint(initial);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let reading = Promise.resolve();

  const schedule = (jwks: PrivateJwks) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!jwks.next || closed) return;
    // setTimeout's limit is ~24.8 days; a later activation is simply re-armed when it fires.
    const wait = Math.min(Math.max(0, jwks.next.activatesAt - Date.now()) + 10, 2 ** 31 - 1);
    timer = setTimeout(reload, wait);
    timer.unref();
  };
  function reload(): void {
    reading = reading.then(async () => {
      if (closed) return;
      try {
        const jwks = await loadOrCreateSigningKeys(dataDir);
        const next = keySetFingerprint(jwks) + (jwks.next ? `>${jwks.next.kid}` : '');
        if (next !== fingerprint) {
          fingerprint = next;
          onKeys(jwks);
        }
        schedule(jwks);
      } catch (err) {
        o.onError?.(err as Error);
      }
    });
  }

  fingerprint += initial.next ? `>${initial.next.kid}` : '';
  schedule(initial);
  watchFile(path, { interval: o.intervalMs ?? 500, persistent: false }, (curr, prev) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.ino !== prev.ino) reload();
  });
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      unwatchFile(path);
    },
  };
}
