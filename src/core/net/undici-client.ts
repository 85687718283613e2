/**
 * The undici pieces the pinned fetch needs, behind one module that pinned-fetch.ts loads with `import()`
 * at its first request. undici is CommonJS: a static named import here is what both tsx and esbuild turn
 * into the right property reads; `import('undici')` itself would yield only `default` from esbuild's
 * split ESM output (the extension's build).
 */
import { Agent, fetch } from 'undici';
import type { pinnedLookup } from './pinned-fetch';

/** A connection pool whose sockets resolve names through `lookup` (the vetted addresses). */
export function createLookupAgent(lookup: ReturnType<typeof pinnedLookup>): Agent {
  return new Agent({ connect: { lookup } });
}

export { fetch as undiciFetch };
