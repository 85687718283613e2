import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port on `host`. The three lab servers refer to each other's URLs (the
 * secure server advertises the issuer; the issuer knows the secure server's URL as an identifier URI),
 * so ephemeral ports are chosen before any server starts. The tiny window between closing the probe and
 * the real listen is acceptable for a lab and for tests.
 */
export async function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
