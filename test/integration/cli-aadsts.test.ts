/**
 * `sherpa connect` explains Entra's refusals (src/core/aadsts-explanations.ts), against the real lab in
 * `--strict` mode (Entra's rules) and a second secure server process whose PRM resource is no identifier
 * URI of the lab's API app — the app-registration mistake that ends in AADSTS500011.
 *
 *   node --import tsx --test test/integration/cli-aadsts.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawnCli, startLabProcess, type LabProcess } from '../support/lab';
import { secureServerEnv, startServerProcess, type ServerProcess } from '../support/server-process';

let lab: LabProcess;
let unregistered: ServerProcess;

before(async () => {
  lab = await startLabProcess({ strict: true });
  unregistered = await startServerProcess('src/servers/secure/main.ts', secureServerEnv(lab, lab.dataDir));
});
after(async () => {
  await unregistered?.stop();
  await lab?.stop();
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, { NO_COLOR: '1', SHERPA_NO_BROWSER: '1' });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.end();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

test('a PRM resource no app has as identifier URI: AADSTS500011, what it means, the az/Bicep fix', async () => {
  const r = await runCli(['connect', unregistered.url, '--user', 'alice']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /Entra ID refused the sign-in: AADSTS500011: The resource principal named/);
  assert.match(r.stderr, /\[ENTRA_REFUSED\]/);
  assert.match(r.stderr, new RegExp(`has the identifier URI ${unregistered.url.replace(/[./]/g, '\\$&')}:`));
  assert.match(
    r.stderr,
    new RegExp(`az ad app update --id <API app id> --identifier-uris api://<API app id> ${unregistered.url}`),
  );
  assert.match(r.stderr, /identifierUris: \['api:\/\/<API app id>'/);
  // The failing step line says it too, before the summary.
  assert.match(r.stdout, /✘ token\s+Entra ID refused the sign-in: AADSTS500011/);
});

test("the lab's own secure server (its URL is an identifier URI) connects: nothing to explain", async () => {
  const r = await runCli(['connect', lab.secure, '--user', 'alice']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /AADSTS|ENTRA_REFUSED/);
});
