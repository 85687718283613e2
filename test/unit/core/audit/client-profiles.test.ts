/**
 * The client table (src/core/audit/client-profiles.ts) is data with sources: every row cites public
 * sources for the fields it states, and where the interop tests measured a client
 * (test/interop/client-behaviour.json, asserted by test/integration/interop/*) the table's prediction agrees
 * with the measurement on the overlapping fields. The measurement wins for its version: fix the row, cite it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CHECKS } from '../../../../src/core/audit/catalogue';
import { predictSignIn } from '../../../../src/core/audit/checks-compat';
import { CLIENT_PROFILES, type ClientProfile } from '../../../../src/core/audit/client-profiles';
import type { AuditContext } from '../../../../src/core/audit/context';
import type { ClientBehaviour, MeasuredClient } from '../../../support/interop/client-requests';
import { REPO_ROOT } from '../../../support/lab';

describe('client profiles', () => {
  test('one row per compat check, ids unique', () => {
    const ids = CLIENT_PROFILES.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const checks = Object.values(CHECKS)
      .map((c) => c.id)
      .filter((id) => id.startsWith('compat.'))
      .map((id) => id.slice('compat.'.length))
      .sort();
    assert.deepEqual(checks, [...ids].sort());
  });

  test('every stated field is backed by a public https source', () => {
    for (const p of CLIENT_PROFILES) {
      assert.ok(p.sources.length > 0, p.id);
      for (const s of p.sources) assert.match(s.url, /^https:\/\/[^/]+\//, `${p.id}: ${s.url}`);
      const covered = new Set(p.sources.flatMap((s) => s.fields.map((f) => f.split('.')[0])));
      for (const field of ['registration', 'redirectUris'] as const)
        assert.ok(covered.has(field), `${p.id}: no source for ${field}`);
      assert.ok(p.registration.length > 0 && p.redirectUris.length > 0, p.id);
    }
  });

  test('agrees with the measured clients on the overlapping fields', () => {
    let compared = 0;
    for (const m of MEASURED) {
      const p = CLIENT_PROFILES.find((x) => x.id === m.profile)!;
      for (const row of behaviour.filter((r) => r.client === m.client)) {
        disagreements(p, m, row).forEach((d) => assert.fail(d));
        compared++;
      }
    }
    // Both mapped clients have measured rows (mcp-remote: lab; the Inspector: lab and --entra).
    assert.equal(compared, 3);
  });

  test('a measured field that differs from the table is a disagreement (the comparison can fail)', () => {
    const m = MEASURED.find((x) => x.profile === 'inspector')!;
    const p = CLIENT_PROFILES.find((x) => x.id === 'inspector')!;
    const row = behaviour.find((r) => r.client === m.client && r.lab === 'lab')!;
    assert.deepEqual(disagreements(p, m, row), []);
    const changed = (f: Partial<ClientBehaviour>) =>
      disagreements(p, m, { ...row, measured: { ...row.measured, ...f } });
    assert.match(changed({ registration: 'CIMD' }).join(), /registration/);
    assert.match(changed({ sendsResource: false }).join(), /sendsResource/);
    assert.match(changed({ scopes: ['{server}/access_as_user'] }).join(), /scopeExtras/);
    assert.match(changed({ redirectUri: 'http://localhost:{port}/oauth/callback' }).join(), /redirect/);
  });
});

/**
 * Which measured client is which table row. The table's rows are products; the measured rows are the exact
 * builds the interop tests ran (the Inspector: its v2 CLI). `ownRedirect`: the lab modes whose redirect URI's
 * host and path are the client's own default (elsewhere the test chose it: a free port, or `/callback`
 * registered for VS Code's pre-authorised id).
 */
const MEASURED: ReadonlyArray<{ profile: ClientProfile['id']; client: string; ownRedirect: string[] }> = [
  { profile: 'mcp-remote', client: 'mcp-remote', ownRedirect: ['lab'] },
  { profile: 'inspector', client: '@modelcontextprotocol/inspector', ownRedirect: ['lab'] },
];

const behaviour = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'interop', 'client-behaviour.json'), 'utf8')) as {
    clients: MeasuredClient[];
  }
).clients;

/**
 * The lab's authorization server as the clients met it: `sherpa lab` offers DCR and no CIMD (its metadata has
 * a registration_endpoint and no client_id_metadata_document_supported); `--entra` poses as Entra ID, which has
 * neither, so the clients were handed a client id.
 */
const LAB_AS: Record<MeasuredClient['lab'], Record<string, unknown>> = {
  lab: {
    issuer: 'http://127.0.0.1:3000',
    registration_endpoint: 'http://127.0.0.1:3000/reg',
    code_challenge_methods_supported: ['S256'],
  },
  entra: {
    issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
    code_challenge_methods_supported: ['S256'],
  },
};

const REGISTRATION_OF: Record<string, ClientBehaviour['registration']> = {
  'dynamic registration': 'DCR',
  'a Client ID Metadata Document': 'CIMD',
  "Entra's pre-registered first-party client": 'pre-registered',
  'a client id registered by hand': 'pre-registered',
};

/** `{port}`, a fixed port and `{id}` compare equal: the host, path and scheme are what a client is known by. */
const shape = (uri: string) =>
  uri.replace(/:(\d+|\{port\})\//, ':{port}/').replace(/:(\d+|\{port\})$/, ':{port}');

/** Where the table's prediction for `p` and the measured row disagree, one line per field. */
function disagreements(p: ClientProfile, m: (typeof MEASURED)[number], row: MeasuredClient): string[] {
  const out: string[] = [];
  const who = `${p.id} vs ${row.client} ${row.version} at ${row.lab}`;
  // The table's prediction, made by the audit's own code for the lab's metadata.
  const ctx = {
    prm: { metadata: { resource: 'http://127.0.0.1:3001/mcp' }, url: '' },
    as: { metadata: LAB_AS[row.lab] },
    findings: [],
    entraDoctor: row.lab === 'entra',
  } as unknown as AuditContext;
  const predicted = predictSignIn(ctx, p).detail;
  const via = /via (.+?), (sending|without) resource/.exec(predicted);
  if (!via) out.push(`${who}: registration — the table predicts no sign-in (${predicted})`);
  else {
    if (REGISTRATION_OF[via[1]!] !== row.measured.registration)
      out.push(`${who}: registration — table ${via[1]}, measured ${row.measured.registration}`);
    if ((via[2] === 'sending') !== row.measured.sendsResource)
      out.push(`${who}: sendsResource — table ${via[2]} resource, measured ${row.measured.sendsResource}`);
  }
  // Scopes it added to the challenge's (`{server}/access_as_user`).
  const extras = row.measured.scopes.filter((s) => s !== '{server}/access_as_user').sort();
  if (JSON.stringify(extras) !== JSON.stringify([...p.scopeExtras].sort()))
    out.push(
      `${who}: scopeExtras — table ${JSON.stringify(p.scopeExtras)}, measured ${JSON.stringify(extras)}`,
    );
  if (m.ownRedirect.includes(row.lab) && !p.redirectUris.map(shape).includes(shape(row.measured.redirectUri)))
    out.push(
      `${who}: redirect — measured ${row.measured.redirectUri} is not in the table (${p.redirectUris.join(', ')})`,
    );
  return out;
}
