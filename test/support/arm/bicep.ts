/**
 * The pinned Bicep CLI (scripts/tools-bicep.mjs, installed by scripts/ensure-tools.mjs) run on infra/:
 * `bicep build` (type checks against the Azure resource types the compiler ships) and `bicep lint` (the
 * analyzer rules in infra/bicepconfig.json), with their diagnostics parsed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTools, REPO_ROOT, requireTool } from '../../../scripts/tools-manifest';

export interface Diagnostic {
  file: string;
  line: number;
  level: 'Error' | 'Warning' | 'Info';
  code: string;
  message: string;
}

export interface BicepRun {
  code: number;
  stdout: string;
  stderr: string;
  diagnostics: Diagnostic[];
}

let bin: { bin: string; version: string } | undefined;
export function bicep(): { bin: string; version: string } {
  bin ??= requireTool(ensureTools(['bicep']).bicep, 'bicep');
  return bin;
}

// `path(line,col) : Level code: message`
const DIAGNOSTIC = /^(.+?)\((\d+),\d+\) : (Error|Warning|Info) ([\w-]+): (.*)$/gm;

export function runBicep(args: string[], cwd = REPO_ROOT): BicepRun {
  const r = spawnSync(bicep().bin, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // No telemetry from a test run.
    env: { ...process.env, BICEP_TELEMETRY_ENABLED: 'false' },
  });
  if (r.error) throw r.error;
  const diagnostics = [...r.stderr.matchAll(DIAGNOSTIC)].map((m) => ({
    file: m[1]!,
    line: Number(m[2]),
    level: m[3] as Diagnostic['level'],
    code: m[4]!,
    message: m[5]!,
  }));
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, diagnostics };
}

/** A copy of infra/ in a temp folder, optionally with one file edited: how a test proves a rule bites. */
export function infraCopy(edit?: { file: string; from: string | RegExp; to: string }): {
  dir: string;
  close(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'sherpa-infra-'));
  cpSync(join(REPO_ROOT, 'infra'), dir, { recursive: true });
  if (edit) {
    const path = join(dir, edit.file);
    const text = readFileSync(path, 'utf8');
    const changed = text.replace(edit.from, edit.to);
    if (changed === text) throw new Error(`the edit to ${edit.file} did not apply: ${String(edit.from)}`);
    writeFileSync(path, changed);
  }
  return { dir, close: () => rmSync(dir, { recursive: true, force: true }) };
}

let compiled: Record<string, unknown> | undefined;
/** infra/main.bicep compiled to its ARM JSON template (once per process). */
export function compiledMainTemplate(): Record<string, unknown> {
  if (!compiled) {
    const r = runBicep(['build', 'infra/main.bicep', '--stdout']);
    if (r.code !== 0) throw new Error(`bicep build failed:\n${r.stderr}`);
    compiled = JSON.parse(r.stdout) as Record<string, unknown>;
  }
  return structuredClone(compiled);
}

/**
 * What azd passes for main.parameters.json: each `${VAR}` / `${VAR=default}` replaced from the azd
 * environment (an unset VAR with no default is an empty string, as azd does with a warning).
 */
export function azdParameters(env: Record<string, string>, text?: string): Record<string, unknown> {
  const file = JSON.parse(text ?? readFileSync(join(REPO_ROOT, 'infra', 'main.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: unknown }>;
  };
  return Object.fromEntries(
    Object.entries(file.parameters).map(([k, v]) => [
      k,
      typeof v.value === 'string'
        ? v.value.replace(
            /\$\{(\w+)(?:=([^}]*))?\}/g,
            (_, name: string, def?: string) => env[name] ?? def ?? '',
          )
        : v.value,
    ]),
  );
}
