/**
 * `npm run bench`: throughput, latency and memory of the MCP servers, reported as RATIOS measured in one
 * run — the median over BENCH_ROUNDS rounds (default 5, BENCH_SECONDS 1.5 s each) with min–max, scenarios interleaved round by round
 * so drift on a shared machine hits them alike. Every measured server is its own process (the lab runs
 * only as the authorization server): baseline node:http, vulnerable, secure, the secure server with auth
 * off, and the SDK's per-request pattern. Then: 200 concurrent connections with RSS and heap after GC per
 * round; N replicas behind nginx/HAProxy; the connect flow, ours vs the SDK's auth(); the secure server
 * against the peers' servers (peers.ts; BENCH_ONLY=peers runs only that); extension sizes.
 * Results: the printed tables + test-results/bench.json. Nothing here is a timed assertion.
 */
import type { Metafile } from 'esbuild';
import { measureActivation } from './activation';
import { packageOneBundle } from './one-bundle';
import { activationClosure } from '../support/activation-closure';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { LAB_STATIC_TOKEN } from '../../src/servers/shared/lab-defaults';
import { REPO_ROOT, startLabProcess, type LabProcess } from '../support/lab';
import { startBenchProcess, type BenchProcess, type MemoryAfterGc } from './bench-process';
import { connectOurs, connectSdk, timeConnect } from './connect-flow';
import {
  MCP_HEADERS,
  TOOLS_LIST_BODY,
  WHOAMI_BODY,
  runLoad,
  type LoadOptions,
  type LoadSummary,
} from './load';
import {
  formatGoals,
  formatScenarioTable,
  formatSpread,
  spread,
  type Goal,
  type ScenarioRounds,
} from './report';
import { readCpuMicros } from './process-cpu';
import { measureScaleOut } from './scale-out';
import { formatPeers, measurePeers } from './peers';
import { corruptSignature, createLabKeyMinter, measureVerifyMicros, requestLabToken } from './tokens';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const CONNECTIONS = 10;
const MANY_CONNECTIONS = 200;
/** Distinct tokens per cache-miss pass: 3× the secure server's verified-token cache cap (1000). */
const MISS_POOL = 3000;
const run = promisify(execFile);

/** The secure server's configuration trusting the running lab (as `sherpa lab` starts it). */
function secureServerEnv(lab: LabProcess, jwksUri: string): NodeJS.ProcessEnv {
  return {
    PORT: '0',
    SHERPA_ISSUER: lab.issuer,
    SHERPA_JWKS_URI: jwksUri,
    SHERPA_API_CLIENT_ID: lab.clientId,
    SHERPA_API_AUDIENCES: `api://${lab.clientId}`,
    SHERPA_ALLOWED_TENANTS: lab.tenantId,
    SECRETS_FILE: join(lab.dataDir, 'secrets.json'),
  };
}

/** Sherpa's secure server against the peers' servers (peers.ts), on the same lab and token. */
function benchPeers(lab: LabProcess, bearer: string, jwksUri: string) {
  return measurePeers({
    lab,
    bearer,
    secureEnv: secureServerEnv(lab, jwksUri),
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
  });
}

async function post(url: string, authorization?: string, body = TOOLS_LIST_BODY) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...(authorization ? { authorization } : {}) },
    body,
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

interface Scenario {
  name: string;
  expectedStatus: number;
  /** The server process, for its CPU time per request. */
  pid: number;
  load: Omit<LoadOptions, 'duration' | 'connections'>;
}

async function measureRounds(scenarios: Scenario[]): Promise<ScenarioRounds[]> {
  const rows: ScenarioRounds[] = scenarios.map((s) => ({
    name: s.name,
    expectedStatus: s.expectedStatus,
    rps: [],
    cpuMicrosPerRequest: [],
    p50Ms: [],
    p99Ms: [],
    requests: 0,
    errors: 0,
    unexpected: {},
  }));
  for (const s of scenarios) await runLoad({ ...s.load, duration: 1, connections: CONNECTIONS }); // warm-up
  for (let round = 1; round <= ROUNDS; round++) {
    process.stderr.write(`bench: round ${round}/${ROUNDS}\n`);
    for (const [i, s] of scenarios.entries()) {
      const cpuBefore = await readCpuMicros(s.pid);
      const r = await runLoad({ ...s.load, duration: SECONDS, connections: CONNECTIONS });
      const row = rows[i]!;
      row.cpuMicrosPerRequest.push(((await readCpuMicros(s.pid)) - cpuBefore) / r.requests);
      row.rps.push(r.rps);
      row.p50Ms.push(r.p50Ms);
      row.p99Ms.push(r.p99Ms);
      row.requests += r.requests;
      row.errors += r.errors;
      for (const [code, n] of Object.entries(r.statuses))
        if (Number(code) !== s.expectedStatus) row.unexpected[code] = (row.unexpected[code] ?? 0) + n;
    }
  }
  return rows;
}

/**
 * A÷B throughput measured in back-to-back pairs (A then B, `pairs` times, order alternating), the median
 * of the pair ratios: for a difference of a few percent on a shared machine, two runs seconds apart are
 * a fairer comparison than whole rounds apart.
 */
async function measurePairs(a: Scenario['load'], b: Scenario['load'], pairs = 9) {
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const first = i % 2 === 0 ? a : b;
    const second = i % 2 === 0 ? b : a;
    const x = await runLoad({ ...first, duration: 1, connections: CONNECTIONS });
    const y = await runLoad({ ...second, duration: 1, connections: CONNECTIONS });
    ratios.push(i % 2 === 0 ? x.rps / y.rps : y.rps / x.rps);
  }
  return spread(ratios);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  const scratch = await mkdtemp(join(tmpdir(), 'sherpa-bench-'));
  const lab = await startLabProcess();
  const procs: BenchProcess[] = [];
  try {
    const token = await requestLabToken(lab, 'alice');
    const bearer = `Bearer ${token}`;
    const { jwks_uri: jwksUri } = (await (
      await fetch(`${lab.issuer}/.well-known/openid-configuration`)
    ).json()) as { jwks_uri: string };
    const secretsFile = join(lab.dataDir, 'secrets.json');
    const secureEnv = secureServerEnv(lab, jwksUri);
    const start = async (entry: string, env: NodeJS.ProcessEnv) => {
      const p = await startBenchProcess(entry, env);
      procs.push(p);
      return p;
    };
    const [secure, vulnerable, authOff, perRequest] = await Promise.all([
      start('src/servers/secure/main.ts', secureEnv),
      start('src/servers/vulnerable/main.ts', { PORT: '0', REQUIRED_TOKEN: LAB_STATIC_TOKEN }),
      start('test/bench/auth-off-server.ts', {
        BENCH_CLAIMS_JSON: JSON.stringify(decodeJwt(token)),
        BENCH_SECRETS_FILE: secretsFile,
      }),
      start('test/bench/per-request-server.ts', {
        BENCH_ISSUER: lab.issuer,
        BENCH_JWKS_URI: jwksUri,
        BENCH_AUDIENCES: [lab.clientId, `api://${lab.clientId}`].join(','),
        BENCH_TENANT_ID: lab.tenantId,
        BENCH_SECRETS_FILE: secretsFile,
      }),
    ]);
    const payload = await post(secure!.url, bearer);
    const payloadFile = join(scratch, 'tools-list.json');
    await writeFile(payloadFile, payload.body);
    const baseline = await start('test/bench/baseline-server.ts', { BENCH_PAYLOAD_FILE: payloadFile });
    const sanity = {
      secure: payload,
      vulnerable: await post(vulnerable!.url, `Bearer ${LAB_STATIC_TOKEN}`),
      authOff: await post(authOff!.url),
      perRequest: await post(perRequest!.url, bearer),
      baseline: await post(baseline.url),
    };
    for (const [k, v] of Object.entries(sanity))
      if (v.status !== 200) throw new Error(`sanity: ${k} answered ${v.status}`);
    const mint = await createLabKeyMinter(lab, token);
    const missTokens = await mint(MISS_POOL);

    const rows = await measureRounds([
      {
        name: 'baseline: plain node:http, same payload',
        expectedStatus: 200,
        pid: baseline.pid,
        load: { url: baseline.url },
      },
      {
        name: 'vulnerable: static token',
        expectedStatus: 200,
        pid: vulnerable!.pid,
        load: { url: vulnerable!.url, authorization: `Bearer ${LAB_STATIC_TOKEN}` },
      },
      {
        name: 'secure: valid JWT (cached)',
        expectedStatus: 200,
        pid: secure!.pid,
        load: { url: secure!.url, authorization: bearer },
      },
      // Same request bytes as the secure rows (the token is sent and ignored): the difference is auth alone.
      {
        name: 'secure with auth off (same server)',
        expectedStatus: 200,
        pid: authOff!.pid,
        load: { url: authOff!.url, authorization: bearer },
      },
      { name: 'secure: no token → 401', expectedStatus: 401, pid: secure!.pid, load: { url: secure!.url } },
      {
        name: 'secure: bad signature → 401',
        expectedStatus: 401,
        pid: secure!.pid,
        load: { url: secure!.url, authorization: `Bearer ${corruptSignature(token)}` },
      },
      {
        name: `secure: cache miss (cycling ${MISS_POOL} tokens)`,
        expectedStatus: 200,
        pid: secure!.pid,
        load: { url: secure!.url, tokens: missTokens },
      },
      {
        name: 'per-request McpServer + jose (SDK pattern)',
        expectedStatus: 200,
        pid: perRequest!.pid,
        load: { url: perRequest!.url, authorization: bearer },
      },
      {
        name: 'secure: tools/call whoami (cached JWT)',
        expectedStatus: 200,
        pid: secure!.pid,
        load: { url: secure!.url, authorization: bearer, body: WHOAMI_BODY },
      },
      {
        name: 'auth off: tools/call whoami',
        expectedStatus: 200,
        pid: authOff!.pid,
        load: { url: authOff!.url, authorization: bearer, body: WHOAMI_BODY },
      },
      {
        name: 'per-request pattern: tools/call whoami',
        expectedStatus: 200,
        pid: perRequest!.pid,
        load: { url: perRequest!.url, authorization: bearer, body: WHOAMI_BODY },
      },
    ]);
    const rps = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))!.rps;
    const cpu = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))!.cpuMicrosPerRequest;
    /** Throughput-equivalent ratio from server CPU per request: b's cost ÷ a's cost, per round. */
    const perRoundCpu = (a: string, b: string) => spread(cpu(a).map((x, i) => cpu(b)[i]! / x));
    const perRound = (a: string, b: string) => spread(rps(a).map((x, i) => x / rps(b)[i]!));
    const ratios = {
      secureOverBaseline: perRound('secure: valid JWT', 'baseline'),
      secureOverAuthOff: perRound('secure: valid JWT', 'secure with auth off'),
      whoamiOverAuthOff: perRound('secure: tools/call whoami', 'auth off: tools/call'),
      secureOverVulnerable: perRound('secure: valid JWT', 'vulnerable'),
      oursOverPerRequest: perRound('secure: valid JWT', 'per-request McpServer'),
      whoamiOursOverPerRequest: perRound('secure: tools/call whoami', 'per-request pattern: tools/call'),
      missOverHit: perRound('secure: cache miss', 'secure: valid JWT'),
      unauthenticatedOverAuthenticated: perRound('secure: no token', 'secure: valid JWT'),
      badSignatureOverAuthenticated: perRound('secure: bad signature', 'secure: valid JWT'),
    };
    process.stderr.write('bench: auth on ÷ auth off, in pairs\n');
    const paired = {
      toolsList: await measurePairs(
        { url: secure!.url, authorization: bearer },
        { url: authOff!.url, authorization: bearer },
      ),
      whoami: await measurePairs(
        { url: secure!.url, authorization: bearer, body: WHOAMI_BODY },
        { url: authOff!.url, authorization: bearer, body: WHOAMI_BODY },
      ),
    };
    const cpuRatios = {
      secureOverBaseline: perRoundCpu('secure: valid JWT', 'baseline'),
      secureOverAuthOff: perRoundCpu('secure: valid JWT', 'secure with auth off'),
      whoamiOverAuthOff: perRoundCpu('secure: tools/call whoami', 'auth off: tools/call'),
      oursOverPerRequest: perRoundCpu('secure: valid JWT', 'per-request McpServer'),
      missOverHit: perRoundCpu('secure: cache miss', 'secure: valid JWT'),
      unauthenticatedOverAuthenticated: perRoundCpu('secure: no token', 'secure: valid JWT'),
    };
    const verifyMicros = await measureVerifyMicros(token, jwksUri, lab);
    const hitCpuMicros = spread(cpu('secure: valid JWT')).median;

    // 200 concurrent connections, round after round: errors, p99, RSS and heap after a full GC.
    process.stderr.write(`bench: ${MANY_CONNECTIONS} connections\n`);
    const many: { load: LoadSummary; memory: MemoryAfterGc }[] = [];
    // One unmeasured round first: 200 sockets' buffers and the allocator's arenas grow once, not per round.
    await runLoad({
      url: secure!.url,
      authorization: bearer,
      body: WHOAMI_BODY,
      duration: SECONDS,
      connections: MANY_CONNECTIONS,
    });
    const memoryAtStart = await secure!.memoryAfterGc();
    for (let round = 1; round <= Math.max(ROUNDS, 3); round++) {
      const load = await runLoad({
        url: secure!.url,
        authorization: bearer,
        body: WHOAMI_BODY,
        duration: SECONDS + 1,
        connections: MANY_CONNECTIONS,
      });
      many.push({ load, memory: await secure!.memoryAfterGc() });
    }
    const heapGrowth = many[many.length - 1]!.memory.heapUsedMiB - many[0]!.memory.heapUsedMiB;
    const rssGrowth = many[many.length - 1]!.memory.rssMiB - many[0]!.memory.rssMiB;

    process.stderr.write('bench: scale-out\n');
    const scaleOut = await measureScaleOut({
      lab,
      jwksUri,
      bearer,
      scratch,
      seconds: SECONDS + 1,
      connections: CONNECTIONS,
    });

    process.stderr.write('bench: connect flow\n');
    const cold = async (which: 'ours' | 'sdk') => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'test/bench/connect-once.ts'), which, lab.secure],
        { cwd: REPO_ROOT, env: { ...process.env, SHERPA_LOG_LEVEL: 'warn' } },
      );
      return (JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number }).ms;
    };
    const connectCold = { ours: await cold('ours'), sdk: await cold('sdk') };
    const steps: Record<string, number[]> = {};
    const warmOurs: number[] = [];
    const warmSdk: number[] = [];
    for (let i = 0; i < 7; i++) {
      warmOurs.push((await timeConnect(() => connectOurs(lab.secure, 'alice', steps), 0)).coldMs);
      warmSdk.push((await timeConnect(() => connectSdk(lab.secure), 0)).coldMs);
    }
    const connect = {
      coldMs: connectCold,
      warmMs: { ours: spread(warmOurs.slice(1)), sdk: spread(warmSdk.slice(1)) },
      oursStepMedianMs: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, spread(v).median])),
    };

    process.stderr.write('bench: peers\n');
    const peers = await benchPeers(lab, bearer, jwksUri);

    const extension = await extensionFigures();

    const goals: Goal[] = [
      {
        name: 'secure (cached) ÷ plain node:http',
        value: ratios.secureOverBaseline,
        target: '≥ 0.25',
        met: ratios.secureOverBaseline.median >= 0.25,
        note: `req/s; by server CPU per request ${formatSpread(cpuRatios.secureOverBaseline)}`,
      },
      {
        name: 'secure ÷ same server, auth off (tools/list)',
        value: cpuRatios.secureOverAuthOff,
        target: '≥ 0.95',
        met: cpuRatios.secureOverAuthOff.median >= 0.95,
        note:
          `by server CPU per request (auth-off cost ÷ secure cost), robust to neighbours; by req/s: ` +
          `${formatSpread(paired.toolsList)} in 9 back-to-back pairs, ${formatSpread(ratios.secureOverAuthOff)} over rounds`,
      },
      {
        name: 'secure ÷ same server, auth off (tools/call whoami)',
        value: cpuRatios.whoamiOverAuthOff,
        target: '≥ 0.95',
        met: cpuRatios.whoamiOverAuthOff.median >= 0.95,
        note:
          `a request the SDK answers in full every time (tools/list answers are remembered); by req/s: ` +
          `${formatSpread(paired.whoami)} in pairs, ${formatSpread(ratios.whoamiOverAuthOff)} over rounds`,
      },
      {
        name: 'ours ÷ SDK per-request pattern (tools/list)',
        value: ratios.oursOverPerRequest,
        target: '≥ 5',
        met: ratios.oursOverPerRequest.median >= 5,
        note: `req/s; by server CPU per request ${formatSpread(cpuRatios.oursOverPerRequest)}`,
      },
      {
        name: 'ours ÷ SDK per-request pattern (tools/call)',
        value: ratios.whoamiOursOverPerRequest,
        target: '≥ 5',
        met: ratios.whoamiOursOverPerRequest.median >= 5,
      },
      {
        name: 'cache miss ÷ cache hit',
        value: ratios.missOverHit,
        target: '≥ 0.8',
        met: ratios.missOverHit.median >= 0.8,
        note:
          `by server CPU per request ${formatSpread(cpuRatios.missOverHit)}. Profile: one jose RS256 jwtVerify ` +
          `costs ${verifyMicros.toFixed(0)} µs here (WebCrypto), a whole cached request ${hitCpuMicros.toFixed(0)} µs of ` +
          `server CPU; a miss can reach at most ≈ ${(hitCpuMicros / (hitCpuMicros + verifyMicros)).toFixed(2)} of a hit ` +
          `while the signature check stays jose's`,
      },
      {
        name: '401 (no token) ÷ 200 path',
        value: ratios.unauthenticatedOverAuthenticated,
        target: '≥ 1',
        met: ratios.unauthenticatedOverAuthenticated.median >= 1,
        note: `req/s; by server CPU per request ${formatSpread(cpuRatios.unauthenticatedOverAuthenticated)}`,
      },
      {
        name: '401 (bad signature) ÷ 200 path',
        value: ratios.badSignatureOverAuthenticated,
        target: 'reported (one RS256 verify each)',
        met: 'n/a',
      },
      {
        name: `${MANY_CONNECTIONS} connections: errors (all rounds)`,
        value: many.reduce(
          (a, m) =>
            a +
            m.load.errors +
            Object.entries(m.load.statuses)
              .filter(([c]) => c !== '200')
              .reduce((x, [, n]) => x + n, 0),
          0,
        ),
        target: '0',
        met: many.every((m) => m.load.errors === 0 && Object.keys(m.load.statuses).every((c) => c === '200')),
      },
      {
        name: `${MANY_CONNECTIONS} connections: p99 ms per round`,
        value: many.map((m) => m.load.p99Ms.toFixed(0)).join(', '),
        target: 'reported',
        met: 'n/a',
      },
      {
        name: 'heap after GC, last − first round (MiB)',
        value: heapGrowth,
        target: '< 2 MiB (flat)',
        met: heapGrowth < 2,
        note: `per round: ${many.map((m) => m.memory.heapUsedMiB.toFixed(1)).join(', ')} MiB (before load ${memoryAtStart.heapUsedMiB.toFixed(1)})`,
      },
      {
        name: 'RSS after GC, last − first round (MiB)',
        value: rssGrowth,
        target: '< 10 MiB (flat)',
        met: rssGrowth < 10,
        note: `per round: ${many.map((m) => m.memory.rssMiB.toFixed(1)).join(', ')} MiB (before load ${memoryAtStart.rssMiB.toFixed(1)})`,
      },
      scaleOut.missing
        ? {
            name: 'scale-out behind a load balancer',
            value: 'not run',
            target: 'consecutive requests on ≥ 2 replicas, all 200',
            met: false,
            note: scaleOut.missing,
          }
        : {
            name: `scale-out (${scaleOut.balancer}): ${scaleOut.consecutiveRequests} consecutive on 1 connection`,
            value: `${Object.keys(scaleOut.replicasSeen!).length} replicas, ${scaleOut.switches} switches`,
            target: '≥ 2 replicas, all 200',
            met:
              Object.keys(scaleOut.replicasSeen!).length >= 2 &&
              scaleOut.statuses!['200'] === scaleOut.consecutiveRequests,
            note: `statuses ${JSON.stringify(scaleOut.statuses)}; req/s through the balancer: 1 replica ${scaleOut.oneReplica!.rps.toFixed(0)}, 2 replicas ${scaleOut.twoReplicas!.rps.toFixed(0)} (errors ${scaleOut.oneReplica!.errors}/${scaleOut.twoReplicas!.errors})`,
          },
      {
        name: 'connect flow warm: ours ÷ SDK auth() [time]',
        value: spread(warmOurs.slice(1).map((x, i) => x / warmSdk[i + 1]!)),
        target: 'reported (< 1 = ours faster)',
        met: 'n/a',
        note: `ours ${formatSpread(connect.warmMs.ours, 1)} ms, SDK ${formatSpread(connect.warmMs.sdk, 1)} ms; ours by step (median ms): ${Object.entries(
          connect.oursStepMedianMs,
        )
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ')}`,
      },
      {
        name: 'connect flow cold (fresh process): ours ÷ SDK',
        value: connectCold.ours / connectCold.sdk,
        target: 'reported',
        met: 'n/a',
        note: `ours ${connectCold.ours.toFixed(0)} ms, SDK ${connectCold.sdk.toFixed(0)} ms`,
      },
      {
        name: 'extension bundle / VSIX size',
        value: extension.summary,
        target: 'reported',
        met: 'n/a',
        note: extension.note,
      },
    ];

    const result = {
      startedAt: startedAt.toISOString(),
      machine: machineOf(loadAverageAtStart),
      settings: {
        rounds: ROUNDS,
        secondsPerScenario: SECONDS,
        connections: CONNECTIONS,
        manyConnections: MANY_CONNECTIONS,
        missPool: MISS_POOL,
      },
      payloadBytes: Object.fromEntries(Object.entries(sanity).map(([k, v]) => [k, v.body.length])),
      scenarios: rows,
      ratios,
      cpuRatios,
      pairedAuthOnOverOff: paired,
      goals,
      profile: { verifyMicros, cachedRequestCpuMicros: hitCpuMicros },
      manyConnections: many,
      scaleOut,
      connect,
      peers,
      extension,
      totalSeconds: (Date.now() - startedAt.getTime()) / 1000,
    };
    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    await writeFile(join(REPO_ROOT, 'test-results', 'bench.json'), JSON.stringify(result, null, 2) + '\n');
    const f = (n: number) => n.toFixed(2);
    process.stdout.write(
      [
        `Sherpa bench — ${cpus().length} CPUs, load average ${loadAverageAtStart.map(f).join(' ')} at start, ${loadavg().map(f).join(' ')} at end (shared machine)`,
        `${ROUNDS} rounds × ${SECONDS} s per scenario, interleaved, ${CONNECTIONS} keep-alive connections; payload bytes ${JSON.stringify(result.payloadBytes)}`,
        '',
        formatScenarioTable(rows),
        '',
        'Goals (median over rounds, min–max in brackets):',
        formatGoals(goals),
        '',
        formatPeers(peers),
        '',
        `Wrote test-results/bench.json in ${result.totalSeconds.toFixed(0)} s`,
      ].join('\n') + '\n',
    );
    if (rows.some((r) => r.errors > 0 || Object.keys(r.unexpected).length > 0)) process.exitCode = 1;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await lab.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * What ships and what activation costs (issue 20 §5): the production extension built by `npm run package`
 * (about 2 s; BENCH_VSIX=0 skips the build and sizes whatever dist/ holds) — the bytes VS Code loads at
 * activation (the entry and its static imports, from the build's metafile), all the extension's files, the
 * VSIX — against the same source built as one CommonJS bundle, the layout before the split (one-bundle.ts);
 * then activation of both in code-server, alternating. Ratios are split ÷ one-bundle, measured in this run.
 */
async function extensionFigures(): Promise<{
  summary: string;
  note: string;
  activationPathBytes?: number;
  extensionBytes?: number;
  oneBundleBytes?: number;
  vsixBytes?: number;
  activationMs?: { split?: number; oneBundle?: number };
}> {
  const size = async (p: string) => (await stat(p).catch(() => undefined))?.size;
  let buildError = '';
  if (process.env.BENCH_VSIX !== '0') {
    await run('npm', ['run', 'package'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 }).catch(
      (err: Error) => (buildError = err.message.split('\n')[0]!),
    );
  }
  const meta = JSON.parse(
    await readFile(join(REPO_ROOT, 'dist', 'extension.meta.json'), 'utf8').catch(() => '{"outputs":{}}'),
  ) as Metafile;
  const closure = meta.outputs['dist/extension/extension.mjs']
    ? activationClosure(meta, 'dist/extension/extension.mjs')
    : undefined;
  const vsixBytes = await size(join(REPO_ROOT, 'dist', 'sherpa.vsix'));
  const scratch = await mkdtemp(join(tmpdir(), 'sherpa-bench-vsix-'));
  try {
    const before = await packageOneBundle(scratch);
    // BENCH_ACTIVATION=0 skips it (three fresh code-server starts of each VSIX, about a minute).
    const activation =
      process.env.BENCH_ACTIVATION === '0'
        ? undefined
        : await measureActivation(3, {
            split: join(REPO_ROOT, 'dist', 'sherpa.vsix'),
            oneBundle: before.vsix,
          }).catch((err: Error) => err.message.split('\n')[0]!);
    const kib = (n?: number) => (n === undefined ? 'n/a' : `${(n / 1024).toFixed(0)} KiB`);
    const ratio = (a?: number, b?: number) => (a !== undefined && b ? (a / b).toFixed(2) : 'n/a');
    const act =
      activation === undefined
        ? 'not measured (BENCH_ACTIVATION=0)'
        : typeof activation === 'string'
          ? `not measured: ${activation}`
          : `split ${activation.split.summary}; one bundle ${activation.oneBundle.summary}; ratio ${ratio(activation.split.median, activation.oneBundle.median)}`;
    return {
      activationPathBytes: closure?.bytes,
      extensionBytes: closure?.allBytes,
      oneBundleBytes: before.bundleBytes,
      vsixBytes,
      ...(typeof activation === 'object'
        ? { activationMs: { split: activation.split.median, oneBundle: activation.oneBundle.median } }
        : {}),
      summary: `loaded at activation ${kib(closure?.bytes)} (${closure?.files.length ?? 0} files) vs one bundle ${kib(before.bundleBytes)}: ratio ${ratio(closure?.bytes, before.bundleBytes)}; activation median ${typeof activation === 'object' ? `${activation.split.median?.toFixed(0)} vs ${activation.oneBundle.median?.toFixed(0)} ms: ratio ${ratio(activation.split.median, activation.oneBundle.median)}` : 'n/a'}`,
      note:
        (buildError ? `npm run package failed (${buildError}): sizes are of whatever dist/ held. ` : '') +
        (process.env.BENCH_VSIX === '0' ? 'BENCH_VSIX=0: not rebuilt. ' : '') +
        `All extension files ${kib(closure?.allBytes)} (the rest load on first use of a command), VSIX ${kib(vsixBytes)}. ` +
        `Activation (bundle load + activate(), in code-server 1.139): ${act}.`,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** BENCH_ONLY=extension: only the extension figures (sizes and activation), not the servers' load. */
async function extensionOnly(): Promise<void> {
  const extension = await extensionFigures();
  process.stdout.write(`extension: ${extension.summary}\n${extension.note}\n`);
  await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
  await writeFile(
    join(REPO_ROOT, 'test-results', 'bench-extension.json'),
    JSON.stringify({ startedAt: new Date().toISOString(), loadAverage: loadavg(), extension }, null, 2) +
      '\n',
  );
}

/** BENCH_ONLY=peers: only Sherpa's secure server against the peers' servers. */
async function peersOnly(): Promise<void> {
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  const lab = await startLabProcess();
  try {
    const bearer = `Bearer ${await requestLabToken(lab, 'alice')}`;
    const { jwks_uri: jwksUri } = (await (
      await fetch(`${lab.issuer}/.well-known/openid-configuration`)
    ).json()) as { jwks_uri: string };
    const peers = await benchPeers(lab, bearer, jwksUri);
    const f = (n: number) => n.toFixed(2);
    process.stdout.write(
      `Sherpa bench (peers) — ${cpus().length} CPUs, load average ${loadAverageAtStart.map(f).join(' ')} at start, ` +
        `${loadavg().map(f).join(' ')} at end; ${ROUNDS} rounds × ${SECONDS} s per server, ${CONNECTIONS} connections\n` +
        formatPeers(peers) +
        '\n',
    );
    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    await writeFile(
      join(REPO_ROOT, 'test-results', 'bench-peers.json'),
      JSON.stringify(
        {
          startedAt: startedAt.toISOString(),
          machine: machineOf(loadAverageAtStart),
          settings: { rounds: ROUNDS, secondsPerServer: SECONDS, connections: CONNECTIONS },
          peers,
        },
        null,
        2,
      ) + '\n',
    );
    if (peers.rows.some((r) => r.bad > 0)) process.exitCode = 1;
  } finally {
    await lab.stop();
  }
}

if (process.env.BENCH_ONLY === 'extension') await extensionOnly();
else if (process.env.BENCH_ONLY === 'peers') await peersOnly();
else await main();

/** The machine a result was measured on: CPUs, load at start and end (a shared machine), Node. */
function machineOf(loadAverageAtStart: number[]) {
  return { cpus: cpus().length, loadAverageAtStart, loadAverageAtEnd: loadavg(), node: process.version };
}
