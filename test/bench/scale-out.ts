/**
 * Scale-out check for `npm run bench`: the secure server is stateless, so N replicas behind a real load
 * balancer must behave as one. Starts 2 replicas (secure main.ts, configured with the balancer's URL as
 * their public resource URL and Host), a balancer over 1 and then over 2 of them, and reports:
 * - correctness: ONE client, ONE keep-alive connection, consecutive requests — which replica served each
 *   (the balancer's X-Upstream header) and that every one succeeded;
 * - throughput through the balancer with 1 vs 2 replicas (on a 2-core machine shared with the load
 *   generator and the balancer this shows that nothing breaks, not a speed-up).
 */
import http from 'node:http';
import { join } from 'node:path';
import { findFreePort } from '../../src/lab/free-port';
import type { LabInfo } from '../support/lab';
import { startBenchProcess, type BenchProcess } from './bench-process';
import { findBalancer, startBalancer } from './load-balancer';
import { MCP_HEADERS, WHOAMI_BODY, runLoad, type LoadSummary } from './load';

export interface ScaleOutResult {
  balancer?: string;
  missing?: string;
  consecutiveRequests?: number;
  statuses?: Record<string, number>;
  replicasSeen?: Record<string, number>;
  /** Requests whose replica differed from the previous request's. */
  switches?: number;
  oneReplica?: LoadSummary;
  twoReplicas?: LoadSummary;
}

/** `count` consecutive whoami calls on one keep-alive socket; the replica and status of each. */
async function consecutiveCalls(url: string, bearer: string, count: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const seen: { upstream: string; status: number }[] = [];
  try {
    for (let i = 0; i < count; i++) {
      seen.push(
        await new Promise((resolve, reject) => {
          const req = http.request(
            url,
            { method: 'POST', agent, headers: { ...MCP_HEADERS, authorization: bearer } },
            (res) => {
              res.resume();
              res.on('end', () =>
                resolve({ upstream: String(res.headers['x-upstream'] ?? '?'), status: res.statusCode ?? 0 }),
              );
            },
          );
          req.on('error', reject);
          req.end(WHOAMI_BODY);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return seen;
}

export async function measureScaleOut(o: {
  lab: LabInfo;
  jwksUri: string;
  bearer: string;
  scratch: string;
  seconds: number;
  connections: number;
}): Promise<ScaleOutResult> {
  const found = findBalancer();
  if ('missing' in found) return { missing: found.missing };
  const port = await findFreePort('127.0.0.1');
  const lbHost = `127.0.0.1:${port}`;
  const env = {
    PORT: '0',
    SHERPA_ISSUER: o.lab.issuer,
    SHERPA_JWKS_URI: o.jwksUri,
    SHERPA_API_CLIENT_ID: o.lab.clientId,
    SHERPA_API_AUDIENCES: `api://${o.lab.clientId}`,
    SHERPA_ALLOWED_TENANTS: o.lab.tenantId,
    SECRETS_FILE: join(o.lab.dataDir, 'secrets.json'),
    // Behind the balancer the public URL and Host are the balancer's (RFC 9728 `resource`).
    SHERPA_RESOURCE_URL: `http://${lbHost}/mcp`,
    ALLOWED_HOSTS: lbHost,
  };
  const replicas: BenchProcess[] = [];
  try {
    replicas.push(
      ...(await Promise.all([0, 1].map(() => startBenchProcess('src/servers/secure/main.ts', env)))),
    );
    const upstreams = replicas.map((r) => new URL(r.origin).host);

    const measure = async (n: number) => {
      const lb = await startBalancer(found, {
        dir: join(o.scratch, `lb-${n}`),
        port,
        upstreams: upstreams.slice(0, n),
      });
      try {
        await runLoad({
          url: lb.url,
          authorization: o.bearer,
          body: WHOAMI_BODY,
          duration: 1,
          connections: o.connections,
        });
        const load = await runLoad({
          url: lb.url,
          authorization: o.bearer,
          body: WHOAMI_BODY,
          duration: o.seconds,
          connections: o.connections,
        });
        return { lb, load };
      } catch (err) {
        await lb.stop();
        throw err;
      }
    };
    const one = await measure(1);
    await one.lb.stop();
    const two = await measure(2);
    try {
      const calls = await consecutiveCalls(two.lb.url, o.bearer, 20);
      const replicasSeen: Record<string, number> = {};
      const statuses: Record<string, number> = {};
      let switches = 0;
      calls.forEach((c, i) => {
        replicasSeen[c.upstream] = (replicasSeen[c.upstream] ?? 0) + 1;
        statuses[c.status] = (statuses[c.status] ?? 0) + 1;
        if (i > 0 && c.upstream !== calls[i - 1]!.upstream) switches++;
      });
      return {
        balancer: two.lb.version,
        consecutiveRequests: calls.length,
        statuses,
        replicasSeen,
        switches,
        oneReplica: one.load,
        twoReplicas: two.load,
      };
    } finally {
      await two.lb.stop();
    }
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
  }
}
