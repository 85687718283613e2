/**
 * A fetch that connects to the addresses the guard vetted, not to whatever the resolver says next. The
 * guarded fetch resolves a name and checks every address (RFC 9728 §7.7, RFC 8414 §6: no trip into
 * internal networks); if the platform's fetch then resolved the name again, a DNS-rebinding resolver
 * could answer 203.0.113.7 the first time and 169.254.169.254 the second. Here undici's `connect.lookup`
 * answers from the vetted list, so the socket goes to exactly an address that was checked.
 *
 * Only where names are resolved here: behind a proxy the proxy resolves them, and the platform's fetch
 * (VS Code's proxy-aware one in the extension) is used as before.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

export interface PinnedFetch {
  /** Fetch whose connections to a pinned host name go to that name's vetted addresses only. */
  fetch: typeof fetch;
  /** Records the addresses vetted for `hostname`; the next connection to it uses them. */
  pin(hostname: string, addresses: readonly string[]): void;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family: number,
) => void;

/**
 * The `lookup` of net.connect: a pinned name answers from its vetted addresses (in the order the
 * resolver gave them); a name that was judged without resolving (an IP literal never gets here;
 * `localhost`, loopback names of the lab) goes to the system resolver as before.
 */
export function pinnedLookup(pins: ReadonlyMap<string, readonly string[]>) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const vetted = pins.get(hostname.toLowerCase());
    if (!vetted) {
      dnsLookup(hostname, options, callback);
      return;
    }
    const entries = vetted
      .map((address) => ({ address, family: isIP(address) }))
      .filter((e) => e.family !== 0 && (!options.family || e.family === options.family));
    if (!entries.length) {
      const err: NodeJS.ErrnoException = new Error(`${hostname}: no vetted address of that family`);
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
      return;
    }
    if (options.all) callback(null, entries, 0);
    else callback(null, entries[0]!.address, entries[0]!.family);
  };
}

/** A pinned fetch with its own connection pool; one per guarded fetch (a session's requests share it). */
export function createPinnedFetch(): PinnedFetch {
  const pins = new Map<string, readonly string[]>();
  // undici (~540 KiB bundled) loads when a pinned fetch is first made, not with this module: the
  // extension imports this at activation and most sessions never fetch through it (issue 20 §5). Loading
  // starts here, before any request, so no request's timeout pays for it.
  // No `ca`: Node's default trust (with NODE_EXTRA_CA_CERTS); in VS Code its tls.connect patch adds the
  // system certificates as it does for every other connection.
  const client = import('./undici-client').then((u) => ({
    dispatcher: u.createLookupAgent(pinnedLookup(pins)),
    fetch: u.undiciFetch,
  }));
  // A failed load surfaces at the first request that awaits it, not as an unhandled rejection.
  client.catch(() => undefined);
  const pinned = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const { dispatcher, fetch: undiciFetch } = await client;
    // undici's fetch knows its own Request class only; the platform's is taken apart.
    const request =
      input instanceof Request
        ? {
            url: input.url,
            init: {
              method: input.method,
              headers: input.headers,
              body: input.body,
              duplex: 'half',
              signal: input.signal,
            },
          }
        : { url: input, init: {} };
    return (await undiciFetch(request.url, {
      ...request.init,
      ...(init as object),
      dispatcher,
    } as Parameters<typeof undiciFetch>[1])) as unknown as Response;
  };
  return {
    fetch: pinned as typeof fetch,
    pin: (hostname, addresses) => pins.set(hostname.replace(/^\[|\]$/g, '').toLowerCase(), [...addresses]),
  };
}
