/**
 * `node --import tsx test/bench/profile.ts [secure|vulnerable|auth-off]`: where the secure (or vulnerable) server
 * spends its CPU under load. Runs the server entry point as a child with `--cpu-prof` against a stand-in
 * issuer, drives it with autocannon (cached valid token, then no token), stops it, and prints the functions
 * with the most self time, grouped by package. The .cpuprofile lands in test-results/ for Chrome DevTools.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeJwt } from 'jose';
import { LAB_API_CLIENT_ID, LAB_STATIC_TOKEN, LAB_TENANT_ID } from '../../src/servers/shared/lab-defaults';
import { REPO_ROOT } from '../support/lab';
import { startTestIssuer } from '../support/mint-token';
import { WHOAMI_BODY, runLoad } from './load';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function and per package (node_modules/<pkg>, node internals, our src/). */
export function summariseProfile(profile: CpuProfile, top = 25): string {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (!us) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(REPO_ROOT + '/', '');
    const fn = `${functionName || '(anonymous)'} ${file.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ??
      (file.startsWith('node:')
        ? 'node:' + file.slice(5).split('/')[0]
        : file.startsWith('src/')
          ? 'src/' + file.split('/').slice(1, 3).join('/')
          : functionName.startsWith('(')
            ? functionName
            : 'other');
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  }
  const fmt = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `self time by package:\n${fmt(byPkg, 15)}\n\nself time by function (top ${top}):\n${fmt(byFn, top)}`;
}

async function main(): Promise<void> {
  const which = (['vulnerable', 'auth-off'] as const).find((w) => w === process.argv[2]) ?? 'secure';
  const dataDir = await mkdtemp(join(tmpdir(), 'sherpa-profile-'));
  const profDir = join(REPO_ROOT, 'test-results', `profile-${which}`);
  await rm(profDir, { recursive: true, force: true });
  await mkdir(profDir, { recursive: true });
  const issuer = await startTestIssuer();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHERPA_LOG_LEVEL: 'warn',
    PORT: '0',
    SHERPA_ISSUER: issuer.issuer,
    SHERPA_JWKS_URI: issuer.jwksUri,
    SHERPA_API_CLIENT_ID: LAB_API_CLIENT_ID,
    SHERPA_ALLOWED_TENANTS: LAB_TENANT_ID,
    SECRETS_FILE: join(dataDir, 'secrets.json'),
    REQUIRED_TOKEN: LAB_STATIC_TOKEN,
    BENCH_SECRETS_FILE: join(dataDir, 'secrets.json'),
  };
  const token = which === 'vulnerable' ? LAB_STATIC_TOKEN : await issuer.mint();
  if (which === 'auth-off') env.BENCH_CLAIMS_JSON = JSON.stringify(decodeJwt(token));
  const entry = which === 'auth-off' ? 'test/bench/auth-off-server.ts' : `src/servers/${which}/main.ts`;
  const child = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', profDir, '--import', 'tsx', join(REPO_ROOT, entry)],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line').then(([l]) => l as string),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`${entry} exited with ${code}`))),
  ]);
  const { url } = JSON.parse(line) as { url: string };
  const seconds = Number(process.env.PROFILE_SECONDS ?? 5);
  // PROFILE_PHASES=ok or =denied profiles one path alone (default both, one after the other).
  const phases = (process.env.PROFILE_PHASES ?? 'ok,denied').split(',');
  for (const phase of phases) {
    const r = await runLoad({
      url,
      ...(phase === 'ok' ? { authorization: `Bearer ${token}` } : {}),
      duration: seconds,
      connections: 10,
      // PROFILE_BODY=whoami: tools/call, which the SDK answers in full (tools/list answers are remembered).
      ...(process.env.PROFILE_BODY === 'whoami' ? { body: WHOAMI_BODY } : {}),
    });
    process.stdout.write(`${which} ${phase}: ${r.rps.toFixed(0)} req/s ${JSON.stringify(r.statuses)}\n`);
  }
  process.stdout.write('\n');
  child.kill('SIGTERM');
  await once(child, 'exit');
  // The main thread's profile is the first one (tsx's loader thread writes a second).
  const file = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile')).sort()[0];
  if (!file) throw new Error(`no .cpuprofile written in ${profDir}`);
  const profile = JSON.parse(await readFile(join(profDir, file), 'utf8')) as CpuProfile;
  process.stdout.write(summariseProfile(profile) + `\n\nprofile: ${join(profDir, file)}\n`);
  await issuer.close();
  await rm(dataDir, { recursive: true, force: true });
}

await main();
