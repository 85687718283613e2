/**
 * The outsider Node MCP servers of issue 17 §3 (test/interop/<name>/server.mjs), each run against its own
 * package as pinned in scripts/tools-lock/<tool>/ and installed by scripts/ensure-tools.mjs. ESM resolves bare
 * imports from the importing file's folder (NODE_PATH is ignored for `import`), so the server file is copied
 * into a throw-away folder whose `node_modules` is a symlink to the cached tool's: the package code runs from
 * the cache, exactly the versions the lockfile names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureTools, requireTool, type ToolsManifest } from '../../../scripts/tools-manifest';
import { findFreePorts } from '../../../src/lab/free-port';
import { LAB_API_APP_ID_URI, LAB_API_CLIENT_ID } from '../../../src/servers/shared/lab-defaults';
import { REPO_ROOT, type LabInfo } from '../lab';

/** The outsider servers: test/interop/<folder>/server.mjs → the tools-lock folder it runs against. */
export const NODE_INTEROP_SERVERS = {
  'sdk-server-v2': { tool: 'sdk-server-2.4.0', label: 'TypeScript SDK v2 server' },
  fastmcp: { tool: 'fastmcp-4.20.16', label: 'FastMCP (TypeScript)' },
  'mcp-auth': { tool: 'mcp-auth-0.2.0', label: 'mcp-auth + TypeScript SDK v1 server' },
} as const;
export type NodeInteropServerName = keyof typeof NODE_INTEROP_SERVERS;

export interface NodeInteropServer {
  mcpUrl: string;
  /** `<package>@<version>` as installed (read from the installed package.json by the installer). */
  packageVersion: string;
  /** The server's process id (the bench reads its CPU time and RSS from procfs). */
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** The installer's answer, asked once per test process (it is a no-op when cached, but a process spawn). */
let installedServers: ToolsManifest['interopServers'];

/**
 * Starts test/interop/<name>/server.mjs trusting the lab (`LAB_ISSUER`, `LAB_AUDIENCE` = the API's client id,
 * `LAB_SCOPE`) on a free loopback port; `variant` selects its deliberately broken configuration.
 */
export async function startNodeInteropServer(
  name: NodeInteropServerName,
  lab: Pick<LabInfo, 'issuer'>,
  o: { variant?: string } = {},
): Promise<NodeInteropServer> {
  const { tool } = NODE_INTEROP_SERVERS[name];
  installedServers ??= ensureTools(['interop-servers']).interopServers;
  const installed = requireTool(installedServers?.[tool], tool);
  const dir = await mkdtemp(join(tmpdir(), `sherpa-interop-${name}-`));
  await symlink(installed.nodeModules, join(dir, 'node_modules'), 'dir');
  await copyFile(join(REPO_ROOT, 'test', 'interop', name, 'server.mjs'), join(dir, 'server.mjs'));
  const [port] = await findFreePorts('127.0.0.1', 1);
  const child: ChildProcess = spawn(process.execPath, [join(dir, 'server.mjs')], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      LAB_ISSUER: lab.issuer,
      LAB_AUDIENCE: LAB_API_CLIENT_ID,
      LAB_SCOPE: `${LAB_API_APP_ID_URI}/access_as_user`,
      SHERPA_INTEROP_VARIANT: o.variant ?? 'default',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const ready = new Promise<void>((resolveReady) =>
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      if (line.startsWith('ready ')) resolveReady();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      ready,
      once(child, 'exit').then(([code]) =>
        Promise.reject(new Error(`${name} exited with ${code}:\n${output}`)),
      ),
      new Promise<never>((_, rej) =>
        setTimeout(() => rej(new Error(`${name} did not start in time:\n${output}`)), 30_000).unref(),
      ),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    mcpUrl: `http://127.0.0.1:${port}/mcp`,
    packageVersion: `${installed.package}@${installed.version}`,
    pid: child.pid!,
    output: () => output,
    stop,
  };
}
