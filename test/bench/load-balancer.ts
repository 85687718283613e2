/**
 * A real load balancer in front of secure-server replicas, for the bench's scale-out check: nginx or
 * HAProxy from the distribution (Debian: `sudo apt-get install -y nginx` or `haproxy`), started by the
 * bench with a generated config in a scratch folder, loopback only, round robin over keep-alive upstream
 * connections. Each answer carries `X-Upstream: host:port` of the replica that served it — set by the
 * balancer, not by our server — so the bench can see where requests landed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';

export type BalancerKind = 'nginx' | 'haproxy';

export interface RunningBalancer {
  kind: BalancerKind;
  version: string;
  url: string;
  stop(): Promise<void>;
}

const CANDIDATES: Record<BalancerKind, string[]> = {
  nginx: ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'],
  haproxy: ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'],
};

/** The balancer binary to use (BENCH_LB=nginx|haproxy picks one), or why there is none. */
export function findBalancer(
  wanted = process.env.BENCH_LB,
): { kind: BalancerKind; path: string } | { missing: string } {
  const kinds: BalancerKind[] =
    wanted === 'haproxy' ? ['haproxy'] : wanted === 'nginx' ? ['nginx'] : ['nginx', 'haproxy'];
  for (const kind of kinds) {
    const path = CANDIDATES[kind].find((p) => existsSync(p));
    if (path) return { kind, path };
  }
  return {
    missing:
      `no ${kinds.join(' or ')} found (looked in ${kinds.flatMap((k) => CANDIDATES[k]).join(', ')}). ` +
      'Install one from Debian: sudo apt-get install -y nginx   (or: sudo apt-get install -y haproxy)',
  };
}

function nginxConfig(dir: string, port: number, upstreams: string[]): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream replicas {
${upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

function haproxyConfig(port: number, upstreams: string[]): string {
  return `global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
frontend mcp
  bind 127.0.0.1:${port}
  default_backend replicas
backend replicas
  balance roundrobin
  http-reuse always
  http-response set-header X-Upstream %si:%sp
${upstreams.map((u, i) => `  server r${i + 1} ${u}`).join('\n')}
`;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`load balancer exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`load balancer did not listen on ${port}: ${log()}`);
}

/** Starts the balancer on 127.0.0.1:`port` over `upstreams` ("127.0.0.1:PORT"). */
export async function startBalancer(
  found: { kind: BalancerKind; path: string },
  o: { dir: string; port: number; upstreams: string[] },
): Promise<RunningBalancer> {
  await mkdir(o.dir, { recursive: true });
  const config = join(o.dir, `${found.kind}.conf`);
  await writeFile(
    config,
    found.kind === 'nginx' ? nginxConfig(o.dir, o.port, o.upstreams) : haproxyConfig(o.port, o.upstreams),
  );
  const args =
    found.kind === 'nginx'
      ? ['-e', join(o.dir, 'error.log'), '-p', o.dir, '-c', config]
      : ['-db', '-f', config];
  const version = await new Promise<string>((resolve) => {
    const v = spawn(found.path, ['-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    v.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    v.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    v.on('exit', () => resolve(out.split('\n')[0]!.trim()));
  });
  const child = spawn(found.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await waitForPort(o.port, child, () => log);
  return {
    kind: found.kind,
    version,
    url: `http://127.0.0.1:${o.port}/mcp`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
