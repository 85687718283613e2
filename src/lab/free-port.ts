import { createServer, type Server } from 'node:net';

/**
 * Asks the OS for `count` distinct free TCP ports on `host`. The three lab servers refer to each other's
 * URLs (the secure server advertises the issuer; the issuer knows the secure server's URL as an identifier
 * URI), so ephemeral ports are chosen before any server starts. All probes stay open until every port is
 * known: probing one at a time lets the OS hand out the same port twice (seen in CI: the authorization
 * server and the secure server both got one port). The tiny window between closing the probes and the
 * real listens is acceptable for a lab and for tests.
 */
export async function findFreePorts(host: string, count: number): Promise<number[]> {
  const probes: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const probe = createServer();
      probe.unref();
      probes.push(probe);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          probe.once('error', reject);
          probe.listen(0, host, () => {
            const address = probe.address();
            resolve(typeof address === 'object' && address ? address.port : 0);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(probes.map((p) => new Promise<void>((resolve) => p.close(() => resolve()))));
  }
}

/** One free port on `host` (see findFreePorts). */
export async function findFreePort(host: string): Promise<number> {
  const [port] = await findFreePorts(host, 1);
  return port!;
}
