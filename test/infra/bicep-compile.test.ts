/**
 * infra/ through Microsoft's own compiler: `bicep build` type-checks every resource against the Azure
 * resource types the pinned CLI ships (property names, api-versions, scopes) and `bicep lint` runs the
 * analyzer rules of infra/bicepconfig.json. Zero errors AND zero warnings; each rule we rely on is shown
 * to bite on an edited copy.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BICEP } from '../../scripts/tools-bicep.mjs';
import { REPO_ROOT } from '../../scripts/tools-manifest';
import { bicep, infraCopy, runBicep, type Diagnostic } from '../support/arm/bicep';

const show = (d: Diagnostic[]) =>
  d.map((x) => `${x.file}(${x.line}) ${x.level} ${x.code}: ${x.message}`).join('\n');

describe(`Bicep CLI ${BICEP.version} on infra/`, () => {
  it('is the pinned version from the pinned package', () => {
    const r = runBicep(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Bicep CLI version ${BICEP.version.replace(/\./g, '\\.')} \\(`));
    assert.equal(bicep().version, BICEP.version);
    console.log(`  ${r.stdout.trim()} — ${BICEP.packageId}, sha512 ${BICEP.sha512.slice(0, 16)}…`);
  });

  it('bicep build infra/main.bicep: 0 errors, 0 warnings', () => {
    const r = runBicep(['build', 'infra/main.bicep', '--stdout']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
    assert.equal(r.stderr.trim(), '', 'nothing else on stderr either');
    const t = JSON.parse(r.stdout) as { metadata: { _generator: { name: string; version: string } } };
    assert.equal(t.metadata._generator.name, 'bicep');
    assert.ok(t.metadata._generator.version.startsWith(`${BICEP.version}.`));
  });

  it('bicep lint infra/main.bicep (every module it uses): 0 errors, 0 warnings', () => {
    const r = runBicep(['lint', 'infra/main.bicep']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
  });

  it('a suppression carries its reason on the same or previous line', () => {
    for (const file of [
      'main.bicep',
      ...[
        'container-app',
        'container-apps-environment',
        'identities',
        'key-vault',
        'monitoring',
        'registry',
      ].map((m) => `modules/${m}.bicep`),
    ]) {
      const lines = readFileSync(join(REPO_ROOT, 'infra', file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/#disable-next-line|#disable-diagnostics/.test(line))
          assert.match(
            `${lines[i - 1] ?? ''} ${line}`,
            /\/\/ .{10,}/,
            `${file}:${i + 1} suppresses without a reason`,
          );
      });
    }
  });

  // Each edit breaks one thing the compiler or a configured rule must catch: the zero above is earned.
  const bites: [string, { file: string; from: string | RegExp; to: string }, 'build' | 'lint', RegExp][] = [
    [
      'a property the resource type does not have (BCP037)',
      {
        file: 'modules/registry.bicep',
        from: 'adminUserEnabled: false',
        to: "adminUserEnabled: false\n    adminPassword: 'x'",
      },
      'build',
      /Warning BCP037/,
    ],
    [
      'an api-version Azure never published (BCP081)',
      { file: 'modules/key-vault.bicep', from: 'vaults@2025-05-01', to: 'vaults@2025-05-02' },
      'build',
      /Warning BCP081/,
    ],
    [
      'a secret-named plain parameter (secure-secrets-in-params, raised to error)',
      {
        file: 'modules/key-vault.bicep',
        from: 'param vaultReaderPrincipalId string',
        to: "param vaultReaderPrincipalId string\nparam adminSecret string = ''\noutput leak string = adminSecret",
      },
      'lint',
      /Error secure-secrets-in-params/,
    ],
    [
      'a hard-coded Entra login host (no-hardcoded-env-urls, raised to error)',
      {
        file: 'main.bicep',
        from: "'${environment().authentication.loginEndpoint}${tenantId}/v2.0'",
        to: "'https://login.microsoftonline.com/${tenantId}/v2.0'",
      },
      'lint',
      /Error no-hardcoded-env-urls/,
    ],
    [
      'an unused parameter (no-unused-params, raised to error)',
      {
        file: 'modules/monitoring.bicep',
        from: 'param tags object',
        to: 'param tags object\nparam unused string',
      },
      'lint',
      /Error no-unused-params/,
    ],
  ];
  for (const [what, edit, command, expected] of bites) {
    it(`catches ${what}`, () => {
      const copy = infraCopy(edit);
      try {
        const r = runBicep([
          command,
          join(copy.dir, 'main.bicep'),
          ...(command === 'build' ? ['--stdout'] : []),
        ]);
        assert.match(r.stderr, expected, r.stderr || '(no diagnostics)');
      } finally {
        copy.close();
      }
    });
  }
});
