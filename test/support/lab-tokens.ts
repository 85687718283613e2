/**
 * Real tokens from a running lab, and forgeries derived from them for negative tests.
 *
 * `signInToLab` runs the lab's real authorization code + PKCE flow (RFC 6749 §4.1, RFC 7636) through the
 * CLI's own login helper, filling in the lab's sign-in form as a lab user. `readLabSigningKey` reads the
 * lab's private signing key from `<dataDir>/jwks.json`: that is how a test makes "validly signed but
 * wrong" tokens (wrong `aud`, wrong `iss`, …) — the server must reject them on claims, not signature.
 */
import { loginFromCli } from '../../src/cli/lab-token';
import { LAB_API_APP_ID_URI } from '../../src/servers/shared/lab-defaults';
import type { TokenSet } from '../../src/core/token/token-set';
import type { LabInfo } from './lab';

export const LAB_API_SCOPE = `${LAB_API_APP_ID_URI}/access_as_user`;

/** Signs in to the lab as `user` (VS Code's pre-authorised client id by default) and returns the tokens. */
export function signInToLab(
  lab: Pick<LabInfo, 'issuer'>,
  o: { user: 'alice' | 'bob'; scopes?: string[]; resource?: string; clientId?: string },
): Promise<TokenSet> {
  return loginFromCli({
    issuer: lab.issuer,
    scopes: o.scopes ?? [LAB_API_SCOPE],
    user: o.user,
    ...(o.resource ? { resource: o.resource } : {}),
    ...(o.clientId ? { clientId: o.clientId } : {}),
  });
}

export { readLabSigningKey, resignLabToken, type LabSigningKey } from '../../src/lab/lab-key';
