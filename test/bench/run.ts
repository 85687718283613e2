/**
 * `npm run bench`: throughput, latency and memory of the lab's MCP servers, reported as RATIOS measured in
 * one run (absolute numbers depend on the machine and its neighbours; ratios much less so). The lab runs
 * as a child process (test/support/lab.ts), the comparison servers too, and autocannon drives them from
 * this process over loopback keep-alive connections. Results: stdout table + test-results/bench.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LAB_STATIC_TOKEN } from '../../src/core/lab-defaults';
import { REPO_ROOT, startLabProcess } from '../support/lab';
import { startServerProcess } from '../support/server-process';
import { MCP_HEADERS, TOOLS_LIST_BODY, runLoad, type LoadOptions } from './load';
import { readRssMiB } from './process-memory';
import { formatRatios, formatTable, type ScenarioResult } from './report';
import { corruptSignature, createLabKeyMinter, requestLabToken } from './tokens';

const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 1;
const CONNECTIONS = 10;
/** Distinct tokens per cache-miss pass: 3× the secure server's verified-token cache cap (1000). */
const MISS_POOL = 3000;
const REAL_FIRST_USE_TOKENS = 6;

async function postToolsList(url: string, authorization?: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...(authorization ? { authorization } : {}) },
    body: TOOLS_LIST_BODY,
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

async function measureScenario(
  name: string,
  expectedStatus: number,
  o: Omit<LoadOptions, 'duration'>,
  warm = true,
): Promise<ScenarioResult> {
  if (warm && !o.amount) await runLoad({ ...o, duration: WARMUP_SECONDS, connections: CONNECTIONS });
  const r = await runLoad({ connections: CONNECTIONS, duration: MEASURE_SECONDS, ...o });
  const expectedShare = r.requests === 0 ? 0 : (r.statuses[String(expectedStatus)] ?? 0) / r.requests;
  process.stderr.write(`  ${name}: ${r.rps.toFixed(0)} req/s\n`);
  return { name, expectedStatus, expectedShare, ...r };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  process.stderr.write(
    `bench: load average at start ${loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}\n`,
  );
  const lab = await startLabProcess();
  const labPid = lab.process.pid!;
  const scratch = await mkdtemp(join(tmpdir(), 'sherpa-bench-'));
  const extra: { stop(): Promise<void> }[] = [];
  try {
    let t = performance.now();
    const token = await requestLabToken(lab, 'alice');
    const loginMs = performance.now() - t;
    const bearer = `Bearer ${token}`;

    const secure = await postToolsList(lab.secure, bearer);
    const vulnerable = await postToolsList(lab.vulnerable, `Bearer ${LAB_STATIC_TOKEN}`);
    if (secure.status !== 200 || vulnerable.status !== 200)
      throw new Error(`sanity: secure ${secure.status}, vulnerable ${vulnerable.status}`);
    const payloadFile = join(scratch, 'tools-list.json');
    await writeFile(payloadFile, secure.body);

    const discovery = (await (await fetch(`${lab.issuer}/.well-known/openid-configuration`)).json()) as {
      jwks_uri: string;
    };
    const baseline = await startServerProcess('test/bench/baseline-server.ts', {
      BENCH_PAYLOAD_FILE: payloadFile,
    });
    extra.push({ stop: baseline.stop });
    const perRequest = await startServerProcess('test/bench/per-request-server.ts', {
      BENCH_ISSUER: lab.issuer,
      BENCH_JWKS_URI: discovery.jwks_uri,
      BENCH_AUDIENCES: [lab.clientId, `api://${lab.clientId}`].join(','),
      BENCH_TENANT_ID: lab.tenantId,
      BENCH_SECRETS_FILE: join(lab.dataDir, 'secrets.json'),
    });
    extra.push({ stop: perRequest.stop });
    const perRequestSanity = await postToolsList(perRequest.url, bearer);
    if (perRequestSanity.status !== 200)
      throw new Error(`sanity: per-request server ${perRequestSanity.status}`);

    t = performance.now();
    const mint = await createLabKeyMinter(lab, token);
    const missPass1 = await mint(MISS_POOL);
    const missPass2 = await mint(MISS_POOL);
    const mintMs = performance.now() - t;

    process.stderr.write('bench: measuring\n');
    const rows: ScenarioResult[] = [];
    rows.push(await measureScenario('baseline: plain node:http, same payload', 200, { url: baseline.url }));
    rows.push(
      await measureScenario('vulnerable: static token', 200, {
        url: lab.vulnerable,
        authorization: `Bearer ${LAB_STATIC_TOKEN}`,
      }),
    );

    await runLoad({ url: lab.secure, authorization: bearer, duration: WARMUP_SECONDS });
    const rssBeforeHits = await readRssMiB(labPid);
    const hit = await measureScenario(
      'secure: valid JWT (cached)',
      200,
      { url: lab.secure, authorization: bearer },
      false,
    );
    const rssAfterHits = await readRssMiB(labPid);
    rows.push(hit);
    rows.push(await measureScenario('secure: no token → 401', 401, { url: lab.secure }));
    rows.push(
      await measureScenario('secure: bad signature → 401', 401, {
        url: lab.secure,
        authorization: `Bearer ${corruptSignature(token)}`,
      }),
    );

    // Cache misses: each pool is cycled in order and is 3× larger than the cache cap, so by the time a
    // token comes round again 2999 others were inserted after it and it was evicted: every request misses.
    const rssBeforeMiss = await readRssMiB(labPid);
    const miss1 = await measureScenario(`secure: cache miss (cycling ${MISS_POOL} tokens)`, 200, {
      url: lab.secure,
      tokens: missPass1,
    });
    const rssAfterMiss1 = await readRssMiB(labPid);
    const miss2 = await measureScenario(
      `secure: ${MISS_POOL} other new tokens, once each`,
      200,
      { url: lab.secure, tokens: missPass2, amount: MISS_POOL },
      false,
    );
    const rssAfterMiss2 = await readRssMiB(labPid);
    rows.push(miss1, miss2);

    rows.push(
      await measureScenario('per-request McpServer + jose (SDK pattern)', 200, {
        url: perRequest.url,
        authorization: bearer,
      }),
    );
    rows.push(await measureScenario('per-request pattern: no token → 401', 401, { url: perRequest.url }));

    // Real logins: first request with a never-seen token (verify + cache fill) vs its second (cache hit).
    const firstUse: number[] = [];
    const secondUse: number[] = [];
    for (let i = 0; i < REAL_FIRST_USE_TOKENS; i++) {
      const fresh = `Bearer ${await requestLabToken(lab, i % 2 ? 'bob' : 'alice')}`;
      await postToolsList(lab.secure); // keep the connection warm: measure auth, not TCP setup
      t = performance.now();
      const a = await postToolsList(lab.secure, fresh);
      firstUse.push(performance.now() - t);
      t = performance.now();
      const b = await postToolsList(lab.secure, fresh);
      secondUse.push(performance.now() - t);
      if (a.status !== 200 || b.status !== 200)
        throw new Error(`real token first use: ${a.status}/${b.status}`);
    }

    // Memory soak with the lab already warm: cached requests only, RSS before/after.
    const rssBeforeSoak = await readRssMiB(labPid);
    const soak = await runLoad({
      url: lab.secure,
      authorization: bearer,
      duration: MEASURE_SECONDS,
      connections: CONNECTIONS,
    });
    const rssAfterSoak = await readRssMiB(labPid);

    const by = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))!;
    const ratios = {
      'secure(cached) ÷ baseline  [req/s]': hit.rps / by('baseline').rps,
      'secure(cached) ÷ vulnerable  [req/s]': hit.rps / by('vulnerable').rps,
      'authenticated ÷ unauthenticated(401)  [req/s]': hit.rps / by('secure: no token').rps,
      'bad-signature 401 ÷ authenticated  [req/s]': by('secure: bad signature').rps / hit.rps,
      'cache miss ÷ cache hit  [req/s]': miss1.rps / hit.rps,
      'ours(cached) ÷ per-request pattern  [req/s]': hit.rps / by('per-request McpServer').rps,
      'ours(cache miss) ÷ per-request pattern  [req/s]': miss1.rps / by('per-request McpServer').rps,
    };
    const memory = {
      labPid,
      note: 'VmRSS of the lab process (authorization server + vulnerable + secure in one process)',
      rssMiB: {
        beforeHits: rssBeforeHits,
        afterHits: rssAfterHits,
        beforeMiss: rssBeforeMiss,
        afterMissPass1: rssAfterMiss1,
        afterMissPass2: rssAfterMiss2,
      },
      growthMiBPer10kCachedRequests: {
        firstRun: ((rssAfterHits - rssBeforeHits) / hit.requests) * 10_000,
        soakAtEnd: ((rssAfterSoak - rssBeforeSoak) / soak.requests) * 10_000,
      },
      growthMiBPer1kDistinctTokens: {
        pass1: ((rssAfterMiss1 - rssBeforeMiss) / MISS_POOL) * 1000,
        pass2AfterCacheFull: ((rssAfterMiss2 - rssAfterMiss1) / MISS_POOL) * 1000,
      },
      claimsJsonBytesPerToken: Buffer.byteLength(
        JSON.stringify(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())),
      ),
    };
    const realTokens = {
      loginMs: Math.round(loginMs),
      firstUseMedianMs: median(firstUse),
      secondUseMedianMs: median(secondUse),
      samples: REAL_FIRST_USE_TOKENS,
    };
    const result = {
      startedAt: startedAt.toISOString(),
      machine: {
        cpus: cpus().length,
        loadAverageAtStart,
        loadAverageAtEnd: loadavg(),
        node: process.version,
      },
      settings: {
        measureSeconds: MEASURE_SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        connections: CONNECTIONS,
        missPool: MISS_POOL,
      },
      payloadBytes: {
        secure: secure.body.length,
        vulnerable: vulnerable.body.length,
        perRequest: perRequestSanity.body.length,
      },
      scenarios: rows,
      ratios,
      memory,
      realTokens,
      mintMsFor2Pools: Math.round(mintMs),
      totalSeconds: (Date.now() - startedAt.getTime()) / 1000,
    };
    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    await writeFile(join(REPO_ROOT, 'test-results', 'bench.json'), JSON.stringify(result, null, 2) + '\n');

    const f = (n: number) => n.toFixed(2);
    process.stdout.write(
      [
        `Sherpa bench — ${cpus().length} CPUs, load average at start ${loadAverageAtStart.map(f).join(' ')} (shared machine; end ${loadavg().map(f).join(' ')})`,
        `tools/list payload bytes: secure ${secure.body.length}, vulnerable ${vulnerable.body.length}, per-request ${perRequestSanity.body.length}; ${CONNECTIONS} keep-alive connections, ${MEASURE_SECONDS}s each after ${WARMUP_SECONDS}s warm-up; autocannon latencies have 1 ms resolution`,
        '',
        formatTable(rows),
        '',
        'Ratios (one run):',
        formatRatios(ratios),
        '',
        `Real lab tokens (${REAL_FIRST_USE_TOKENS} logins, ~${realTokens.loginMs} ms each): first request median ${f(realTokens.firstUseMedianMs)} ms, second (cached) ${f(realTokens.secondUseMedianMs)} ms`,
        `Lab RSS MiB, cached requests: ${f(rssBeforeHits)}→${f(rssAfterHits)} in the first run (${f(memory.growthMiBPer10kCachedRequests.firstRun)} per 10k), ` +
          `${f(rssBeforeSoak)}→${f(rssAfterSoak)} in a ${soak.requests}-request soak at the end (${f(memory.growthMiBPer10kCachedRequests.soakAtEnd)} per 10k)`,
        `Lab RSS MiB, distinct tokens (cache cap 1000): ` +
          `${f(rssBeforeMiss)}→${f(rssAfterMiss1)}→${f(rssAfterMiss2)} (per 1k tokens: ${f(memory.growthMiBPer1kDistinctTokens.pass1)}, then ${f(memory.growthMiBPer1kDistinctTokens.pass2AfterCacheFull)} with the cache full)`,
        `Wrote test-results/bench.json in ${result.totalSeconds.toFixed(0)} s`,
      ].join('\n') + '\n',
    );
    if (rows.some((r) => r.expectedShare !== 1)) process.exitCode = 1;
  } finally {
    for (const e of extra) await e.stop();
    await lab.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
