// The Bicep compiler for infra/, from the NuGet package Microsoft publishes it in
// (Azure.Bicep.CommandLine.<rid>: a .nupkg is a zip holding tools/bicep, a self-contained binary).
// The package source is the one the machine's NuGet is configured with (`dotnet nuget list source`,
// else NuGet.Config): no registry host is written here. The .nupkg's SHA-512 must equal the value pinned
// below before anything is unpacked; a new version means a new pin (and `dotnet nuget verify --all` on the
// downloaded package, which checks Microsoft's author signature and the repository signature).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';

export const BICEP = Object.freeze({
  packageId: 'Azure.Bicep.CommandLine.linux-x64',
  version: '0.49.2',
  // Base64 SHA-512 of the whole .nupkg (NuGet's `packageHash` form), pinned when the version was chosen;
  // that download passed `dotnet nuget verify --all` (author: Microsoft Corporation; repository: NuGet.org).
  sha512: 'kBnX0iG9wd/PWdCTwFfUvm6Jemn+5L7sY7b7HQi5k+LLwdFmrbw4y5RTLFxewCFMdBqUThiOILMa7sgzklPEAQ==',
});

/** The NuGet v3 service index the machine is configured with (first enabled source). */
export function nugetSource() {
  if (process.env.SHERPA_NUGET_SOURCE) return process.env.SHERPA_NUGET_SOURCE;
  const r = spawnSync('dotnet', ['nuget', 'list', 'source', '--format', 'short'], { encoding: 'utf8' });
  if (r.status === 0) {
    // Lines like "E https://…/index.json" (E = enabled, D = disabled).
    const enabled = /^E\s+(https:\/\/\S+)$/m.exec(r.stdout);
    if (enabled) return enabled[1];
  }
  const config = join(homedir(), '.nuget', 'NuGet', 'NuGet.Config');
  if (existsSync(config)) {
    const add = /<add\s+key="[^"]*"\s+value="(https:\/\/[^"]+)"/.exec(readFileSync(config, 'utf8'));
    if (add) return add[1];
  }
  throw new Error(
    'no NuGet source configured: install the .NET SDK (`dotnet nuget list source`) or set SHERPA_NUGET_SOURCE',
  );
}

/** The flat-container URL of one package version (NuGet v3 "PackageBaseAddress/3.0.0" resource). */
async function packageUrl(indexUrl, id, version) {
  const res = await fetch(indexUrl);
  if (!res.ok) throw new Error(`NuGet service index ${indexUrl}: HTTP ${res.status}`);
  const index = await res.json();
  const base = index.resources?.find((r) => String(r['@type']).startsWith('PackageBaseAddress/3.0.0'))?.[
    '@id'
  ];
  if (!base) throw new Error(`NuGet service index ${indexUrl} has no PackageBaseAddress/3.0.0`);
  const lower = id.toLowerCase();
  return `${base.replace(/\/?$/, '/')}${lower}/${version}/${lower}.${version}.nupkg`;
}

/** One file out of a zip (no zip64: a .nupkg this size does not need it). */
export function unzipEntry(zip, wanted) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  let at = zip.readUInt32LE(eocd + 16);
  const count = zip.readUInt16LE(eocd + 10);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + skip;
    if (name !== wanted) continue;
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(data, data + size);
    if (method === 0) return raw;
    if (method === 8) return inflateRawSync(raw);
    throw new Error(`${wanted}: zip method ${method} not supported`);
  }
  throw new Error(`${wanted} not in the package`);
}

/**
 * Ensures `<cache>/bicep-<version>/bicep`: reuses it when `bicep --version` still names the pinned version,
 * else downloads the package, checks its SHA-512 against the pin, unpacks the binary and proves it runs.
 */
export async function ensureBicep(cacheRoot, { run, log }) {
  const { packageId, version, sha512 } = BICEP;
  const dir = join(cacheRoot, `bicep-${version}`);
  const bin = join(dir, 'bicep');
  const marker = join(dir, '.sherpa-ok');
  const verify = () => {
    const out = run(bin, ['--version'], { quiet: true });
    const found = /Bicep CLI version (\d+\.\d+\.\d+)/.exec(out);
    if (!found || found[1] !== version) throw new Error(`bicep --version printed ${out.trim()}`);
    return { bin, version, packageId, sha512 };
  };
  if (existsSync(marker)) {
    try {
      const info = verify();
      log(`ok      bicep (cached) ${version}`);
      return info;
    } catch (e) {
      log(`stale   bicep: ${e.message} — reinstalling`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const url = await packageUrl(nugetSource(), packageId, version);
  log(`install bicep: ${packageId} ${version} from the configured NuGet source`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${packageId} ${version}: HTTP ${res.status}`);
  const nupkg = Buffer.from(await res.arrayBuffer());
  const actual = createHash('sha512').update(nupkg).digest('base64');
  if (actual !== sha512) {
    throw new Error(`${packageId} ${version}: SHA-512 ${actual} does not match the pinned ${sha512}`);
  }
  writeFileSync(`${bin}.partial`, unzipEntry(nupkg, 'tools/bicep'));
  chmodSync(`${bin}.partial`, 0o755);
  renameSync(`${bin}.partial`, bin);
  const info = verify();
  writeFileSync(marker, JSON.stringify({ installedAt: new Date().toISOString(), ...info }, null, 2));
  log(`done    bicep in ${((Date.now() - started) / 1000).toFixed(1)} s ${version}`);
  return info;
}
