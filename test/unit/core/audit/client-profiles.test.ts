/**
 * The client table (src/core/audit/client-profiles.ts) is data with sources: every row cites public
 * sources for the fields it states, and where the interop tests measured a client
 * (test/interop/measured-clients.json, written by the interop issue's runs) the overlapping fields agree.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CHECKS } from '../../../../src/core/audit/catalogue';
import { CLIENT_PROFILES, type ClientProfile } from '../../../../src/core/audit/client-profiles';

const MEASURED = 'test/interop/measured-clients.json';

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

  // The interop issue's measurements, once present, must agree with the table where both speak.
  test(
    'agrees with the measured clients on the overlapping fields',
    { skip: !existsSync(MEASURED) && `${MEASURED} not written yet` },
    () => {
      const measured = JSON.parse(readFileSync(MEASURED, 'utf8')) as Record<string, Partial<ClientProfile>>;
      let compared = 0;
      for (const p of CLIENT_PROFILES) {
        const m = measured[p.id];
        if (!m) continue;
        if (m.registration)
          assert.equal(
            m.registration[0],
            p.registration.find((s) => s !== 'entra-first-party'),
            `${p.id} registration`,
          );
        if (m.sendsResource) assert.deepEqual(m.sendsResource, p.sendsResource, `${p.id} sendsResource`);
        if (m.scopeExtras)
          assert.deepEqual([...m.scopeExtras].sort(), [...p.scopeExtras].sort(), `${p.id} scopeExtras`);
        if (m.redirectUris)
          for (const u of m.redirectUris)
            assert.ok(
              p.redirectUris.some((t) =>
                new RegExp(
                  `^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\\{(port|id)\\\}|\{(port|id)\}/g, '[^/]+')}$`,
                ).test(u),
              ),
              `${p.id}: measured redirect ${u} is not in the table`,
            );
        compared++;
      }
      assert.ok(compared > 0, 'the measured file names none of the table clients');
    },
  );
});
