import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  odataString,
  requireAzdEnvName,
  requireGuid,
  requireLocation,
  requireResourceGroupName,
  requireTenant,
} from '../../../../src/core/azure/azure-names';
import { isSherpaError } from '../../../../src/core/errors';

const refused = (f: () => unknown, what: RegExp) =>
  assert.throws(f, (e: unknown) => isSherpaError(e, 'BAD_ARGUMENT') && what.test((e as Error).message));

describe('Azure ids and names (issue 16, MEDIUM 4)', () => {
  it('a GUID passes; a shell payload, braces or a short id are refused, naming where the value came from', () => {
    assert.equal(
      requireGuid('6F1D4C2A-3B8E-4F7A-9C51-2D0E8B7A4F13', 'x'),
      '6F1D4C2A-3B8E-4F7A-9C51-2D0E8B7A4F13',
    );
    for (const bad of [
      '00000000-0000-0000-0000-000000000000; echo INJECTED',
      '{00000000-0000-0000-0000-000000000000}',
      "00000000-0000-0000-0000-00000000000'",
      '0000000000000000000000000000000000000',
      '',
    ])
      refused(() => requireGuid(bad, '--subscription'), /^--subscription must be a GUID/);
  });

  it("resource group names follow Azure's rule (1-90, letters digits _ ( ) - ., no trailing period)", () => {
    for (const ok of ['rg-sherpa-dev', 'rg_(test).1', 'x', 'Ressourcengruppe-Ü', 'a'.repeat(90)])
      assert.equal(requireResourceGroupName(ok, 'rg'), ok);
    for (const bad of ['rg.', 'a'.repeat(91), 'rg sherpa', 'rg;echo', 'rg$(id)', 'rg/x', ''])
      refused(() => requireResourceGroupName(bad, '--resource-group'), /--resource-group/);
  });

  it("azd environment names follow azd's own rule; locations are region names", () => {
    assert.equal(requireAzdEnvName('sherpa-dev_1.(a)', 'e'), 'sherpa-dev_1.(a)');
    for (const bad of ['a b', 'x;y', 'a'.repeat(65), '', 'ünicode'])
      refused(() => requireAzdEnvName(bad, '--env-name'), /--env-name/);
    assert.equal(requireLocation('westeurope', 'l'), 'westeurope');
    refused(() => requireLocation('east us', '--location'), /--location/);
  });

  it('tenants are ids or domain names, never a second scope', () => {
    for (const ok of ['contoso.onmicrosoft.com', 'organizations', '6f1d4c2a-3b8e-4f7a-9c51-2d0e8b7a4f13'])
      assert.equal(requireTenant(ok, 't'), ok);
    for (const bad of ['contoso.com User.Read', 'a/b', '-x', ''])
      refused(() => requireTenant(bad, 'sherpa.azure.tenant'), /sherpa\.azure\.tenant/);
  });

  it('OData literals double single quotes', () => {
    assert.equal(odataString("x' or appId ne 'y"), "'x'' or appId ne ''y'");
    assert.equal(odataString('abc'), "'abc'");
  });
});
