/**
 * Sherpa's secure server side by side with the peers' protected MCP servers (issue 17 §5): the interop
 * fixtures test/interop/{sdk-server-v2,fastmcp,mcp-auth}/server.mjs, each run from its cached tool folder
 * exactly as the interop tests run it (test/support/interop/node-servers.ts). Every server trusts the same
 * lab and takes the SAME real lab token (aud = the API's client id, which all four accept), and gets the same
 * JSON-RPC `tools/call whoami` (each server's own whoami tool) at the same concurrency and duration, in
 * rounds interleaved server by server. Per server: req/s, server CPU µs per request (procfs, all threads)
 * and RSS after the load (procfs VmRSS — read the same way for every process, no forced GC, since the
 * peers' processes cannot be asked for one); ratios are Sherpa ÷ peer, per round.
 *
 * Every process runs the same way: plain `node <file>.mjs`, no loader, no flags. Sherpa's secure server is
 * therefore bundled first (esbuild, as the shipped CLI bundles it) instead of run through tsx, whose loader
 * and in-memory sources would count against Sherpa's RSS and start-up only.
 *
 * FastMCP's httpStream transport is stateful: it needs `initialize` and then the `mcp-session-id` it
 * returned on every call, so its load carries that header (one session shared by the connections, as one
 * client would). The SDK v2 and mcp-auth fixtures are stateless (a server and transport per request, as
 * their documentation shows).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as esbuild from 'esbuild';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { REPO_ROOT, type LabInfo } from '../support/lab';
import {
  NODE_INTEROP_SERVERS,
  startNodeInteropServer,
  type NodeInteropServer,
  type NodeInteropServerName,
} from '../support/interop/node-servers';
import { MCP_HEADERS, WHOAMI_BODY, runLoad } from './load';
import { readCpuMicros } from './process-cpu';
import { spread, type Spread } from './report';

export interface PeerRow {
  name: string;
  version: string;
  rps: number[];
  cpuMicrosPerRequest: number[];
  p99Ms: number[];
  /** VmRSS after start-up and one whoami, before any load, MiB. */
  rssIdleMiB: number;
  /** VmRSS after each round, MiB. */
  rssMiB: number[];
  requests: number;
  /** Transport errors plus answers other than 200, over all rounds. */
  bad: number;
  statuses: Record<string, number>;
}

export interface PeerComparison {
  peer: string;
  /** Sherpa ÷ peer, per round: > 1 means Sherpa serves more. */
  rps: Spread;
  /** Sherpa ÷ peer: < 1 means Sherpa spends less CPU per request. */
  cpu: Spread;
  /** Sherpa ÷ peer, after the last round: < 1 means Sherpa holds less memory. */
  rss: number;
  /** Sherpa ÷ peer before any load. */
  rssIdle: number;
}

export interface PeersResult {
  tool: string;
  rows: PeerRow[];
  comparisons: PeerComparison[];
  /** Servers that could not be measured and why (a missing cached tool, a refused token). */
  skipped: Record<string, string>;
}

/** VmRSS of `pid` from /proc/<pid>/status (proc(5)), MiB; NaN where procfs is not there. */
async function readRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kib ? Number(kib) / 1024 : NaN;
}

/**
 * Bundles src/servers/secure/main.ts into `dir` and runs it with plain node, as the peers run; resolves
 * once it printed its `{"url"}` line.
 */
async function startBundledSecure(env: NodeJS.ProcessEnv, dir: string) {
  const outfile = join(dir, 'secure.mjs');
  await esbuild.build({
    entryPoints: [join(REPO_ROOT, 'src/servers/secure/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const child = spawn(process.execPath, [outfile], {
    cwd: dir,
    env: { ...process.env, SHERPA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(([code]) =>
      Promise.reject(new Error(`secure server exited with ${code}: ${log}`)),
    ),
  ])) as [string];
  return {
    url: (JSON.parse(line) as { url: string }).url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function postMcp(url: string, headers: Record<string, string>, body: string) {
  const res = await fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body });
  return { status: res.status, sessionId: res.headers.get('mcp-session-id'), text: await res.text() };
}

/**
 * Headers under which `tools/call whoami` answers 200 with the caller's identity: none beyond the token for
 * a stateless server; for a stateful one, the session an `initialize` opened (MCP Streamable HTTP, session
 * management).
 */
async function whoamiHeaders(url: string, authorization: string): Promise<Record<string, string>> {
  const plain = await postMcp(url, { authorization }, WHOAMI_BODY);
  if (plain.status === 200 && plain.text.includes('oid')) return {};
  const init = await postMcp(
    url,
    { authorization },
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'sherpa-bench', version: '0' },
      },
    }),
  );
  if (init.status !== 200 || !init.sessionId)
    throw new Error(`whoami answered ${plain.status} and initialize ${init.status} without a session`);
  const session = { 'mcp-session-id': init.sessionId };
  await postMcp(
    url,
    { authorization, ...session },
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  );
  const again = await postMcp(url, { authorization, ...session }, WHOAMI_BODY);
  if (again.status !== 200 || !again.text.includes('oid'))
    throw new Error(`whoami in a session answered ${again.status}: ${again.text.slice(0, 200)}`);
  return session;
}

/**
 * Starts a fresh, bundled secure server (`secureEnv`, as run.ts configures it) and the peers, checks each answers
 * whoami for `bearer`, then loads them round after round and compares.
 */
export async function measurePeers(o: {
  lab: LabInfo;
  bearer: string;
  secureEnv: NodeJS.ProcessEnv;
  rounds: number;
  seconds: number;
  connections: number;
}): Promise<PeersResult> {
  const skipped: Record<string, string> = {};
  const scratch = await mkdtemp(join(tmpdir(), 'sherpa-bench-peers-'));
  const secure = await startBundledSecure(o.secureEnv, scratch);
  const peers: { name: NodeInteropServerName; server: NodeInteropServer }[] = [];
  try {
    for (const name of Object.keys(NODE_INTEROP_SERVERS) as NodeInteropServerName[]) {
      const server = await startNodeInteropServer(name, o.lab).catch((err: Error) => {
        skipped[name] = err.message.split('\n')[0]!;
        return undefined;
      });
      if (server) peers.push({ name, server });
    }
    const targets: { name: string; version: string; url: string; pid: number }[] = [
      { name: 'Sherpa secure', version: 'this tree (bundled)', url: secure.url, pid: secure.pid },
      ...peers.map((p) => ({
        name: NODE_INTEROP_SERVERS[p.name].label,
        version: p.server.packageVersion,
        url: p.server.mcpUrl,
        pid: p.server.pid,
      })),
    ];
    const loads: { target: (typeof targets)[number]; headers: Record<string, string> }[] = [];
    for (const target of targets) {
      try {
        loads.push({ target, headers: await whoamiHeaders(target.url, o.bearer) });
      } catch (err) {
        if (target.pid === secure.pid) throw err;
        skipped[target.name] = (err as Error).message;
      }
    }
    const rows: PeerRow[] = loads.map(({ target }) => ({
      name: target.name,
      version: target.version,
      rps: [],
      cpuMicrosPerRequest: [],
      p99Ms: [],
      rssIdleMiB: NaN,
      rssMiB: [],
      requests: 0,
      bad: 0,
      statuses: {},
    }));
    const load = (l: (typeof loads)[number], duration: number) =>
      runLoad({
        url: l.target.url,
        authorization: o.bearer,
        headers: l.headers,
        body: WHOAMI_BODY,
        duration,
        connections: o.connections,
      });
    for (const [i, l] of loads.entries()) rows[i]!.rssIdleMiB = await readRssMiB(l.target.pid);
    for (const l of loads) await load(l, 1); // warm-up: JWKS fetched, JIT warm
    for (let round = 1; round <= o.rounds; round++) {
      process.stderr.write(`bench: peers round ${round}/${o.rounds}\n`);
      for (const [i, l] of loads.entries()) {
        const before = await readCpuMicros(l.target.pid);
        const r = await load(l, o.seconds);
        const row = rows[i]!;
        row.cpuMicrosPerRequest.push(((await readCpuMicros(l.target.pid)) - before) / r.requests);
        row.rssMiB.push(await readRssMiB(l.target.pid));
        row.rps.push(r.rps);
        row.p99Ms.push(r.p99Ms);
        row.requests += r.requests;
        row.bad += r.errors + (r.requests - (r.statuses['200'] ?? 0));
        for (const [code, n] of Object.entries(r.statuses))
          row.statuses[code] = (row.statuses[code] ?? 0) + n;
      }
    }
    const [ours, ...others] = rows;
    const comparisons = others.map((peer) => ({
      peer: peer.name,
      rps: spread(ours!.rps.map((x, i) => x / peer.rps[i]!)),
      cpu: spread(ours!.cpuMicrosPerRequest.map((x, i) => x / peer.cpuMicrosPerRequest[i]!)),
      rss: ours!.rssMiB.at(-1)! / peer.rssMiB.at(-1)!,
      rssIdle: ours!.rssIdleMiB / peer.rssIdleMiB,
    }));
    return { tool: 'tools/call whoami (each server’s own whoami tool)', rows, comparisons, skipped };
  } finally {
    await Promise.all([secure.stop(), ...peers.map((p) => p.server.stop())]);
    await rm(scratch, { recursive: true, force: true });
  }
}

const num = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const fmt = (s: Spread, digits = 2) =>
  `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;

/** The peers' table and Sherpa ÷ peer ratios, as printed by `npm run bench`. */
export function formatPeers(r: PeersResult): string {
  const lines = [
    `Peers — ${r.tool}, same lab token, median (min–max) over rounds:`,
    ...r.rows.map(
      (row) =>
        `  ${row.name.padEnd(38)} ${row.version.padEnd(34)} req/s ${fmt(spread(row.rps), 0).padEnd(20)} ` +
        `CPU µs/req ${num(spread(row.cpuMicrosPerRequest).median, 0).padStart(5)}  p99 ${num(spread(row.p99Ms).median, 0)} ms  ` +
        `RSS ${num(row.rssIdleMiB, 0)} idle, ${num(row.rssMiB.at(-1) ?? NaN, 0)} MiB loaded  ${row.bad ? `NOT ALL 200: ${JSON.stringify(row.statuses)}` : 'all 200'}`,
    ),
    'Sherpa ÷ peer (req/s: > 1 = Sherpa ahead; CPU per request and RSS: < 1 = Sherpa ahead):',
    ...r.comparisons.map(
      (c) =>
        `  ${c.peer.padEnd(38)} req/s ${fmt(c.rps).padEnd(20)} CPU ${fmt(c.cpu).padEnd(20)} RSS loaded ${num(c.rss, 2)}, idle ${num(c.rssIdle, 2)}` +
        `  ${c.rps.median > 1 && c.cpu.median < 1 && c.rss < 1 ? 'Sherpa ahead' : 'Sherpa NOT ahead on every measure'}`,
    ),
    ...Object.entries(r.skipped).map(([k, v]) => `  not measured: ${k}: ${v}`),
  ];
  return lines.join('\n');
}
