/**
 * The container image, without a container engine (none here): the Dockerfile's runtime stage is read as
 * the engine would run it, checked against the built dist/, and its command is run for real on Node 24 —
 * the image's Node line — with exactly the env the compiled template sets on the secure app (values from a
 * stand-in deployment). Only the listening address differs (127.0.0.1 and a free port instead of 0.0.0.0:8080
 * inside the container); the health probe is sent as Container Apps sends it, with the public Host header.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { ensureTools, REPO_ROOT, requireTool } from '../../scripts/tools-manifest';
import { rawRequest } from '../support/http-request';
import { deploySherpa } from '../support/arm/sherpa-deployment';

const dockerfile = readFileSync(join(REPO_ROOT, 'infra', 'Dockerfile'), 'utf8');
const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const line = (k: string) => new RegExp(`^${k} (.*)$`, 'm').exec(runtime)?.[1];

describe('the container image (infra/Dockerfile) against the built dist/', () => {
  it('runtime stage: Node 24, a non-root user, only dist/sherpa.mjs copied to where ENTRYPOINT runs it', () => {
    assert.match(line('FROM')!, /^node:24-alpine$/);
    assert.equal(line('USER'), 'node');
    const copies = [...runtime.matchAll(/^COPY (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(copies, ['--from=build /src/dist/sherpa.mjs ./sherpa.mjs']);
    assert.equal(line('WORKDIR'), '/app');
    assert.deepEqual(JSON.parse(line('ENTRYPOINT')!), ['node', '/app/sherpa.mjs']);
    assert.deepEqual(JSON.parse(line('CMD')!), ['serve', 'secure']);
    // The build stage produces what is copied: esbuild.mjs writes dist/sherpa.mjs.
    assert.match(dockerfile, /^RUN node esbuild\.mjs --production$/m);
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'sherpa.mjs')), 'run the build first (npm test does)');
    assert.match(readFileSync(join(REPO_ROOT, 'esbuild.mjs'), 'utf8'), /dist\/sherpa\.mjs/);
  });

  it('`node dist/sherpa.mjs serve secure` on Node 24 with the template’s env starts and answers its health probe', async () => {
    const node24 = requireTool(ensureTools(['node24']).node24, 'node24');
    const d = deploySherpa();
    const env = d.env('secure');
    const host = env.ALLOWED_HOSTS!;
    const probe = (d.container('secure').probes as { httpGet: { path: string } }[])[0]!.httpGet.path;
    const child = spawn(node24.node, [join(REPO_ROOT, 'dist', 'sherpa.mjs'), ...JSON.parse(line('CMD')!)], {
      cwd: REPO_ROOT,
      // Exactly the template's env (no inherited PATH, HOME …), but loopback and a free port.
      env: { ...env, HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    try {
      // `sherpa serve` prints where it listens: the first http://127.0.0.1:<port> on stdout.
      const origin = await Promise.race([
        new Promise<string>((resolve) => {
          createInterface({ input: child.stdout }).on('line', (l) => {
            const m = /http:\/\/127\.0\.0\.1:\d+/.exec(l);
            if (m) resolve(m[0]);
          });
        }),
        new Promise<never>((_, reject) =>
          child.once('exit', (code) => reject(new Error(`exited ${code}: ${log}`))),
        ),
      ]);
      const health = await rawRequest(`${origin}${probe}`, { headers: { Host: host } });
      assert.equal(health.status, 200, health.text);
      assert.equal(JSON.parse(health.text).resource, d.outputs.SECURE_SERVER_URL);
      // Before configure: up, and refusing MCP with the way out.
      const mcp = await rawRequest(`${origin}/mcp`, {
        method: 'POST',
        headers: {
          Host: host,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}',
      });
      assert.equal(mcp.status, 503);
      assert.match(log, /awaiting configuration/);
      console.log(
        `  node ${/v\d+\.\d+\.\d+/.exec(node24.version)?.[0]} dist/sherpa.mjs serve secure: GET ${probe} (Host ${host}) → 200`,
      );
    } finally {
      child.kill('SIGTERM');
    }
  });
});
