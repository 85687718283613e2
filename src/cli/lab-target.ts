/** Which lab a command talks to: `--lab-json FILE` (what `sherpa lab --json` printed) or the default ports. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SherpaError } from '../core/errors';
import type { LabTarget } from '../lab/lab';
import {
  LAB_DEFAULT_PORTS,
  LAB_HOST,
  LAB_TENANT_ID,
  LAB_API_CLIENT_ID,
  labIssuer,
} from '../servers/shared/lab-defaults';

export type { LabTarget } from '../lab/lab';

/** The lab at its default ports (`sherpa lab` with no options), data folder ./.lab. */
export function defaultLabTarget(): LabTarget {
  const at = (port: number) => `http://${LAB_HOST}:${port}`;
  return {
    issuer: labIssuer(at(LAB_DEFAULT_PORTS.authorizationServer)),
    vulnerable: `${at(LAB_DEFAULT_PORTS.vulnerable)}/mcp`,
    secure: `${at(LAB_DEFAULT_PORTS.secure)}/mcp`,
    tenantId: LAB_TENANT_ID,
    clientId: LAB_API_CLIENT_ID,
    dataDir: resolve('.lab'),
  };
}

export async function readLabTarget(file: string | undefined): Promise<LabTarget> {
  if (!file) return defaultLabTarget();
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as Partial<LabTarget>;
    if (!info.issuer || !info.vulnerable || !info.secure) throw new Error('missing issuer/vulnerable/secure');
    return {
      issuer: info.issuer,
      vulnerable: info.vulnerable,
      secure: info.secure,
      tenantId: info.tenantId ?? LAB_TENANT_ID,
      clientId: info.clientId ?? LAB_API_CLIENT_ID,
      ...(info.dataDir ? { dataDir: info.dataDir } : {}),
    };
  } catch (err) {
    throw new SherpaError('BAD_ARGUMENT', `Cannot read lab description ${file}: ${(err as Error).message}`, {
      hint: 'Save the line `sherpa lab --json` prints into a file and pass it with --lab-json.',
    });
  }
}
