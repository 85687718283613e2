/**
 * For a test whose server must know its own port before it listens (its resource URL or a forwarded
 * address names the port): a free port is found, then bound later, and in between another process may
 * take it. `onFreePort` closes that race the only way it can be closed from outside the server: it
 * retries on a fresh port when the start failed with EADDRINUSE, and rethrows anything else.
 */
import { findFreePort } from '../../src/lab/free-port';

const inUse = (err: unknown) =>
  err instanceof Error &&
  (/EADDRINUSE/.test(err.message) || (err as { code?: string }).code === 'EADDRINUSE');

export async function onFreePort<T>(start: (port: number) => Promise<T>, tries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort('127.0.0.1');
    try {
      return await start(port);
    } catch (err) {
      if (attempt >= tries || !inUse(err)) throw err;
    }
  }
}
