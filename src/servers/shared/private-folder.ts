import { stat } from 'node:fs/promises';
import { SherpaError } from '../../core/errors';

/**
 * Refuses a folder that holds private keys (the lab CA's, the signing keys) when someone else could have
 * put files in it or could replace them: owned by another user, or writable by group or others. A CA key
 * planted or swapped there would make every client that trusts the lab CA trust the planter's certificates.
 * POSIX modes only; on Windows the ACLs of the user profile are left to the OS (the check is skipped).
 *
 * Errors: DATA_DIR_UNSAFE, naming the folder and the command that fixes it.
 */
export async function assertPrivateFolder(path: string): Promise<void> {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return;
  const info = await stat(path);
  const uid = process.getuid();
  if (info.uid !== uid) {
    throw new SherpaError(
      'DATA_DIR_UNSAFE',
      `The lab data folder ${path} belongs to another user (uid ${info.uid})`,
      {
        hint: `Use a folder of your own (--data-dir), or take it over: chown -R ${uid} '${path}' && chmod 700 '${path}'`,
        details: { path, uid: info.uid },
      },
    );
  }
  if ((info.mode & 0o022) !== 0) {
    const mode = (info.mode & 0o777).toString(8);
    throw new SherpaError(
      'DATA_DIR_UNSAFE',
      `The lab data folder ${path} is writable by other users (mode ${mode}): its keys could be replaced`,
      { hint: `Make it yours alone: chmod 700 '${path}'`, details: { path, mode } },
    );
  }
}
