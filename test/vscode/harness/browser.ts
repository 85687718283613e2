/**
 * Headless Chromium for the workbench, driven by playwright-core. Prefers @sparticuz/chromium (a
 * Chromium shipped inside an npm package, installed by scripts/ensure-tools.mjs), else /usr/bin/chromium.
 * Its executablePath() unpacks the browser into the temp folder and sets LD_LIBRARY_PATH/FONTCONFIG
 * in THIS process, which Playwright passes on to the browser, so it must be called here.
 */
import { chromium, type Browser } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import type { ToolsManifest } from '../../../scripts/tools-manifest';

interface SparticuzChromium {
  args: string[];
  executablePath(): Promise<string>;
}

const SYSTEM_CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the browser the manifest names. Never pass --user-data-dir: Playwright refuses it. */
export async function launchBrowser(tools: ToolsManifest): Promise<Browser> {
  const c = tools.chromium;
  if (!c) throw new Error('tools manifest has no chromium: run node scripts/ensure-tools.mjs chromium');
  if (c.kind === 'system') {
    return chromium.launch({ executablePath: c.executablePath, args: SYSTEM_CHROMIUM_ARGS, headless: true });
  }
  const mod = (await import(pathToFileURL(c.module).href)) as { default: SparticuzChromium };
  const executablePath = await mod.default.executablePath();
  return chromium.launch({ executablePath, args: mod.default.args, headless: true });
}
