/**
 * Extension activation time in a real VS Code (code-server 1.139 + headless Chromium, the e2e harness):
 * the packaged VSIX installed into a fresh code-server, the workbench opened, and the duration of
 * `activate()` read from the line the extension itself logs ("Sherpa activated in N ms") in the log
 * files code-server writes. Several fresh starts, so the first one's cold caches show as the max.
 * Given more than one VSIX (the split extension and the one-bundle build it replaced, one-bundle.ts), the
 * starts alternate between them, so drift on a shared machine hits both alike.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureTools, REPO_ROOT } from '../../scripts/tools-manifest';
import { launchBrowser } from '../vscode/harness/browser';
import { startCodeServer } from '../vscode/harness/code-server';

async function findActivationLine(dir: string): Promise<number | undefined> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const entry of entries.map(String).filter((e) => e.endsWith('.log'))) {
    const text = await readFile(join(dir, entry), 'utf8').catch(() => '');
    const m = /Sherpa activated in ([\d.]+) ms/.exec(text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** One fresh start; undefined when no activation line appeared within 60 s. */
async function once(vsix: string): Promise<number | undefined> {
  const tools = ensureTools(['code-server', 'chromium']);
  const server = await startCodeServer(tools, {});
  const browser = await launchBrowser(tools);
  try {
    server.installExtension(vsix);
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    for (let i = 0; i < 120; i++) {
      const ms = await findActivationLine(join(server.root, 'user', 'logs'));
      if (ms !== undefined) return ms;
      await page.waitForTimeout(500);
    }
    return undefined;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

export interface ActivationFigures {
  summary: string;
  samples: number[];
  median?: number;
}

function summarize(samples: number[]): ActivationFigures {
  if (!samples.length) return { summary: 'no activation line found in the logs', samples };
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return {
    summary: `${median.toFixed(0)} ms median (${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)}, ${samples.length} fresh starts)`,
    samples,
    median,
  };
}

/**
 * Median, min and max of `runs` fresh starts of each VSIX (default: dist/sherpa.vsix, which must be
 * built), the VSIXes taking turns.
 */
export async function measureActivation<K extends string = 'split'>(
  runs = 3,
  vsixes: Record<K, string> = { split: join(REPO_ROOT, 'dist', 'sherpa.vsix') } as Record<K, string>,
): Promise<Record<K, ActivationFigures>> {
  const names = Object.keys(vsixes) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (const n of names) {
    if (!(await stat(vsixes[n]).catch(() => undefined))) throw new Error(`no VSIX at ${vsixes[n]}`);
  }
  for (let i = 0; i < runs; i++) {
    for (const n of names) {
      const ms = await once(vsixes[n]);
      if (ms !== undefined) samples[n].push(ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(samples[n])])) as Record<K, ActivationFigures>;
}

if (process.argv[1]?.endsWith('activation.ts')) {
  process.stdout.write(`${(await measureActivation()).split.summary}\n`);
}
