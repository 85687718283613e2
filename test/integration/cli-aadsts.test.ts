/**
 * `sherpa connect` explains Entra's refusals (src/core/aadsts-explanations.ts), against the real lab in
 * `--strict` mode (Entra's rules) and a second secure server process whose PRM resource is no identifier
 * URI of the lab's API app — the app-registration mistake that ends in AADSTS500011.
 *
 *   node --import tsx --test test/integration/cli-aadsts.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LAB_API_CLIENT_ID } from '../../src/servers/shared/lab-defaults';
import { runCli, startLabProcess, type LabProcess } from '../support/lab';
import { secureServerEnv, startServerProcess, type ServerProcess } from '../support/server-process';

let lab: LabProcess;
let unregistered: ServerProcess;
let workshopPair: ServerProcess;
const API_SCOPE = `api://${LAB_API_CLIENT_ID}/access_as_user`;

before(async () => {
  lab = await startLabProcess({ strict: true });
  unregistered = await startServerProcess('src/servers/secure/main.ts', secureServerEnv(lab, lab.dataDir));
  // The workshop's PRM: resource = the server URL, scopes_supported = the API's api:// scope.
  workshopPair = await startServerProcess(
    'src/servers/secure/main.ts',
    secureServerEnv(lab, lab.dataDir, { SHERPA_SCOPES_SUPPORTED: API_SCOPE }),
  );
});
after(async () => {
  await workshopPair?.stop();
  await unregistered?.stop();
  await lab?.stop();
});

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

test("the workshop's pair (resource = server URL, scope = api://…) on strict Entra rules: AADSTS9010010 quoted, not the page's CSS", async () => {
  const r = await runCli([
    'connect',
    workshopPair.url,
    '--user',
    'alice',
    '--trust-api',
    `api://${LAB_API_CLIENT_ID}`,
  ]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /AADSTS9010010/);
  assert.doesNotMatch(r.stdout + r.stderr, /font-family|\{[a-z-]+:/);
  assert.match(r.stderr, /\[ENTRA_REFUSED\]/);
  assert.match(r.stderr, /sherpa azure register --secure-url /);
});
