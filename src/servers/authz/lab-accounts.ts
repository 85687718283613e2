import { timingSafeEqual } from 'node:crypto';
import type { Account } from 'oidc-provider';
import { LAB_USERS, type LabUser } from '../shared/lab-defaults';

/**
 * The lab's user directory. The account id oidc-provider stores is the user's Entra object id (`oid`),
 * which is also the `sub` the lab issues (real Entra uses a pairwise `sub`; the lab keeps it simple).
 */
export function findLabUserByOid(oid: string | undefined): LabUser | undefined {
  return LAB_USERS.find((u) => u.oid === oid);
}

function equalSecrets(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Checks a sign-in form's username and password; undefined when either is wrong. */
export function authenticateLabUser(username: string, password: string): LabUser | undefined {
  const user = LAB_USERS.find((u) => u.username === username.trim().toLowerCase());
  return user && equalSecrets(user.password, password) ? user : undefined;
}

/**
 * oidc-provider's `findAccount` hook: the OpenID Connect claims of a lab user (OIDC Core §5.1), shaped
 * like Entra's: `preferred_username` is the UPN, `oid`/`tid` identify user and tenant.
 */
export function createFindAccount(tenantId: string, o: { entra?: boolean } = {}) {
  return async (_ctx: unknown, sub: string): Promise<Account | undefined> => {
    const user = findLabUserByOid(sub);
    if (!user) return undefined;
    return {
      accountId: user.oid,
      claims: async () => ({
        sub: user.oid,
        oid: user.oid,
        tid: tenantId,
        name: user.name,
        preferred_username: user.email,
        email: user.email,
        // Entra's v2 ID tokens say which token version they are.
        ...(o.entra ? { ver: '2.0' } : {}),
      }),
    };
  };
}
