import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch ms after which the entry is gone; Infinity when the model has no lifetime. */
  expiresAt: number;
}

/**
 * The lab's grant/session/code store: in memory, one per running authorization server. It is chosen on
 * purpose — the lab is a single process on loopback, a restart signs people out, and tokens already
 * issued stay verifiable because the signing keys persist in the data folder. A production authorization
 * server (Entra ID here) keeps this state durably and shared between instances.
 *
 * Implements oidc-provider's Adapter contract: models keyed by id, secondary look-ups by interaction
 * `uid` and device `userCode`, and revocation of everything issued under one grant.
 *
 * Dynamically registered clients (model `Client`; the static ones are configuration, not stored) live
 * `clientTtlSeconds` and are gone after: oidc-provider stores them for ever, and the lab's open
 * registration must not collect clients for the life of the process. A confidential client's stored
 * `client_secret_expires_at` says the same time, so oidc-provider refuses its secret then too.
 */
export function createLabStore(
  o: { clientTtlSeconds?: number; now?: () => number } = {},
): (modelName: string) => Adapter {
  const now = o.now ?? Date.now;
  const clientTtlSeconds = o.clientTtlSeconds ?? 24 * 3600;
  const entries = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  const key = (model: string, id: string) => `${model}:${id}`;
  // Expired entries go when read; a sweep every few hundred writes keeps never-read ones from piling up.
  let writes = 0;
  const sweep = () => {
    const at = now();
    for (const [k, e] of entries) if (e.expiresAt <= at) entries.delete(k);
    for (const [grantId, members] of byGrant) {
      for (const k of members) if (!entries.has(k)) members.delete(k);
      if (members.size === 0) byGrant.delete(grantId);
    }
  };

  const live = (k: string): AdapterPayload | undefined => {
    const e = entries.get(k);
    if (!e) return undefined;
    if (e.expiresAt <= now()) {
      entries.delete(k);
      return undefined;
    }
    return e.payload;
  };
  const findIndexed = (index: string, model: string): AdapterPayload | undefined => {
    const id = entries.get(index)?.payload.jti;
    return typeof id === 'string' ? live(key(model, id)) : undefined;
  };

  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      if (++writes % 500 === 0) sweep();
      if (model === 'Client' && !expiresIn) {
        expiresIn = clientTtlSeconds;
        if (payload.client_secret) {
          payload = { ...payload, client_secret_expires_at: Math.floor(now() / 1000) + clientTtlSeconds };
        }
      }
      const expiresAt = expiresIn ? now() + expiresIn * 1000 : Infinity;
      const k = key(model, id);
      entries.set(k, { payload, expiresAt });
      if (payload.grantId) {
        const members = byGrant.get(payload.grantId) ?? new Set<string>();
        byGrant.set(payload.grantId, members.add(k));
      }
      // Secondary indexes point at the id; they expire with the entry they index.
      if (payload.uid) entries.set(`uid:${model}:${payload.uid}`, { payload: { jti: id }, expiresAt });
      if (payload.userCode) {
        entries.set(`userCode:${model}:${payload.userCode}`, { payload: { jti: id }, expiresAt });
      }
    },
    async find(id) {
      return live(key(model, id));
    },
    async findByUid(uid) {
      return findIndexed(`uid:${model}:${uid}`, model);
    },
    async findByUserCode(userCode) {
      return findIndexed(`userCode:${model}:${userCode}`, model);
    },
    async consume(id) {
      const payload = live(key(model, id));
      if (payload) payload.consumed = Math.floor(now() / 1000);
    },
    async destroy(id) {
      entries.delete(key(model, id));
    },
    async revokeByGrantId(grantId) {
      for (const k of byGrant.get(grantId) ?? []) entries.delete(k);
      byGrant.delete(grantId);
    },
  });
}
