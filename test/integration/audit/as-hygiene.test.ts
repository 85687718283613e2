/**
 * The authorization-server hygiene checks (checks-as-hygiene.ts, as.pkce-s256, as.iss-parameter) against
 * a small loopback server with one defect at a time: each is caught by exactly its check, and the same
 * server without the defect passes. The lab's real authorization server passes them in audit.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditServer } from '../../../src/core/audit/run-audit';
import {
  CORRECT_AS,
  startBrokenAuthorizationServer,
  type BrokenAsOptions,
} from '../../support/audit/broken-authorization-server';

describe('audit: authorization server hygiene, one defect at a time', () => {
  const cases: [string, BrokenAsOptions, string[]][] = [
    ['correct', CORRECT_AS, []],
    ['no code_challenge_methods_supported', { ...CORRECT_AS, pkce: undefined }, ['as.pkce-s256']],
    ['plain advertised', { ...CORRECT_AS, pkce: ['S256', 'plain'] }, ['as.pkce-no-plain']],
    ['no RFC 9207 iss', { ...CORRECT_AS, iss: false }, ['as.iss-parameter']],
    ['open redirect at /authorize', { ...CORRECT_AS, openRedirect: true }, ['as.open-redirect']],
  ];
  for (const [name, options, expected] of cases) {
    test(`${name} → ${expected.join(', ') || 'nothing fails'}`, async () => {
      const server = await startBrokenAuthorizationServer(options);
      try {
        const r = await auditServer(server.url);
        // The per-client sign-in predictions (compat.*) follow from these checks: round-two.test.ts.
        const failed = r.findings.filter((f) => f.status === 'fail' && !f.id.startsWith('compat.'));
        assert.deepEqual(failed.map((f) => f.id).sort(), expected, JSON.stringify(failed, null, 1));
        const redirect = r.findings.find((f) => f.id === 'as.open-redirect')!;
        assert.equal(redirect.evidence[0]?.status, options.openRedirect ? 302 : 400, redirect.detail);
        if (options.openRedirect) {
          assert.match(redirect.detail, /OPEN REDIRECT.*error=unauthorized_client/);
          assert.match(
            redirect.evidence[0]!.headers!.location!,
            /^http:\/\/127\.0\.0\.1:\d+\/sherpa-audit-unregistered\?…$/,
          );
        }
        if (!options.pkce)
          assert.match(r.findings.find((f) => f.id === 'as.pkce-s256')!.detail, /MUST refuse/);
      } finally {
        await server.close();
      }
    });
  }
});
