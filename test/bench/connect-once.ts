/**
 * `node --import tsx test/bench/connect-once.ts ours|sdk <url>`: ONE connect flow in a fresh process (a
 * cold start: no warmed-up code, no pooled connections), timed from the first call to tools/list.
 * Prints `{"ms":…,"tools":…}`. Used by the bench for the cold figures.
 */
import { performance } from 'node:perf_hooks';
import { connectOurs, connectSdk } from './connect-flow';

const [which, url] = process.argv.slice(2);
if ((which !== 'ours' && which !== 'sdk') || !url)
  throw Object.assign(new Error('usage: connect-once.ts ours|sdk <url>'), { code: 'bad_args' });
const t = performance.now();
const tools = await (which === 'ours' ? connectOurs(url) : connectSdk(url));
process.stdout.write(JSON.stringify({ ms: performance.now() - t, tools }) + '\n');
