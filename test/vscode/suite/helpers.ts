/** Shared helpers for the extension tests: the activated API, settings changes, a lab "browser". */
import * as vscode from 'vscode';
import type { SherpaApi } from '../../../src/extension/api';
import { LAB_USERS } from '../../../src/servers/shared/lab-defaults';
import { driveLogin } from '../../support/drive-login';

export const EXTENSION_ID = 'sherpa-lab.sherpa-mcp-identity';

/** Activates Sherpa (if needed) and returns what activate() exported (only in a development/test host). */
export async function getApi(): Promise<SherpaApi> {
  const ext = vscode.extensions.getExtension<SherpaApi | undefined>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api) throw new Error(`${EXTENSION_ID} exported no API: it is not running in a test host`);
  return api;
}

/** Sets a `sherpa.*` setting globally (undefined removes it). */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('sherpa').update(key, value, vscode.ConfigurationTarget.Global);
}

export const alice = LAB_USERS.find((u) => u.username === 'alice')!;

/**
 * A non-interactive "browser" for the lab: signs in on the lab's login form with fetch, then delivers
 * the authorization response to Sherpa's loopback redirect, as a browser following the redirect would.
 */
export async function labBrowser(url: URL): Promise<void> {
  const callback = await driveLogin(url, { username: alice.username, password: alice.password });
  const res = await fetch(callback);
  await res.text();
}
