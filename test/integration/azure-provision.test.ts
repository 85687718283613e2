/**
 * `sherpa azure provision`: the preflight and the azd step wiring, with STAND-IN azd/az/docker executables
 * (test/support/azure/stand-in-tools.ts) on a PATH of their own — the real tools cannot be installed here.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runSherpa } from '../support/azure/run-cli';
import { createStandIns, type StandInScenario } from '../support/azure/stand-in-tools';

const AZD_ENV = {
  AZURE_ENV_NAME: 'sherpa-dev',
  AZURE_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555',
  AZURE_LOCATION: 'eastus',
  AZURE_RESOURCE_GROUP: 'rg-sherpa-dev',
  SECURE_SERVER_URL: 'https://ca-secure-abc123.example-env.eastus.azurecontainerapps.io/mcp',
  VULNERABLE_SERVER_URL: 'https://ca-vulnerable-abc123.example-env.eastus.azurecontainerapps.io/mcp',
  AZURE_KEY_VAULT_NAME: 'kv-sherpa-abc123',
  AZURE_MANAGED_IDENTITY_CLIENT_ID: '5e1f0c3d-8a7b-4c2e-9f10-3b6d4a2c1e77',
};

async function provision(s: StandInScenario, args: string[] = []) {
  const tools = createStandIns({ azdEnv: AZD_ENV, ...s });
  try {
    const r = await runSherpa(['azure', 'provision', ...args], { PATH: tools.binDir });
    return { ...r, calls: tools.calls() };
  } finally {
    tools.close();
  }
}

describe('sherpa azure provision (stand-in azd, az, docker)', () => {
  it('all present and signed in: preflight passes, then azd provision → deploy → provision, outputs read back', async () => {
    const r = await provision({});
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const id of [
      'azd',
      'az',
      'docker',
      'azd-signed-in',
      'az-signed-in',
      'azd-environment',
      'subscription',
      'provider-microsoft-app',
    ]) {
      assert.match(r.stdout, new RegExp(`^✔ ${id} `, 'm'));
    }
    assert.deepEqual(
      r.calls.filter((c) => /^azd (provision|deploy)/.test(c)),
      ['azd provision --no-prompt', 'azd deploy --no-prompt', 'azd provision --no-prompt'],
    );
    assert.ok(r.calls.includes('azd auth login --check-status --output json'));
    assert.ok(
      r.calls.includes(
        'az provider show --namespace Microsoft.App --subscription 11111111-2222-3333-4444-555555555555 --query registrationState --output tsv',
      ),
    );
    assert.match(r.stdout, /^SECURE_SERVER_URL=https:\/\/ca-secure-abc123\./m);
    assert.match(r.stdout, /^AZURE_MANAGED_IDENTITY_CLIENT_ID=5e1f0c3d-/m);
    assert.match(r.stdout, /Next: sherpa azure register --secure-url https:\/\/ca-secure-abc123\./);
  });

  const cases: [string, StandInScenario, string[], RegExp][] = [
    [
      'azd missing',
      { tools: ['az', 'docker'] },
      [],
      /✘ azd +azd \(Azure Developer CLI\) is not on PATH\n {2}→ Install it: https:\/\/aka\.ms\/azd-install/,
    ],
    [
      'az missing',
      { tools: ['azd', 'docker'] },
      [],
      /✘ az +az \(Azure CLI\) is not on PATH\n {2}→ Install it: https:\/\/aka\.ms\/installazurecli/,
    ],
    [
      'docker missing',
      { tools: ['azd', 'az'] },
      [],
      /✘ docker +docker is not on PATH .*\n {2}→ Install Docker/,
    ],
    [
      'docker not running',
      { dockerRunning: false },
      [],
      /✘ docker +docker is installed but its daemon is not running \(Cannot connect to the Docker daemon.*\)\n {2}→ Start Docker/,
    ],
    [
      'azd signed out',
      { azdSignedIn: false },
      [],
      /✘ azd-signed-in +azd is not signed in\n {2}→ Run `azd auth login`/,
    ],
    ['az signed out', { azSignedIn: false }, [], /✘ az-signed-in +az is not signed in\n {2}→ Run `az login`/],
    [
      'Microsoft.App not registered',
      { providerState: 'NotRegistered' },
      [],
      /✘ provider-microsoft-app +Microsoft\.App resource provider: NotRegistered\n {2}→ Run `az provider register --namespace Microsoft\.App/,
    ],
    [
      'no azd environment and no name for one',
      { azdEnv: undefined },
      [],
      /✘ azd-environment +no azd environment in this folder\n {2}→ Pass --env-name <name> --location <region>/,
    ],
  ];
  for (const [name, scenario, args, expected] of cases) {
    it(`${name} → named, with the fix; nothing provisioned, exit 1`, async () => {
      const r = await provision(scenario, args);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, expected);
      assert.match(r.stderr, /Preflight failed: .*\[AZURE_PREFLIGHT_FAILED\]/);
      assert.deepEqual(
        r.calls.filter((c) => /^azd (provision|deploy)/.test(c)),
        [],
      );
      // Exactly the one problem of the scenario is marked.
      assert.equal((r.stdout.match(/^✘ /gm) ?? []).length, 1, r.stdout);
    });
  }

  it('no environment yet: --env-name/--location create one on the chosen subscription first', async () => {
    const r = await provision({ azdEnv: undefined }, ['--env-name', 'sherpa-dev', '--location', 'eastus']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(
      r.calls.find((c) => c.startsWith('azd env new')),
      'azd env new sherpa-dev --subscription 11111111-2222-3333-4444-555555555555 --location eastus --no-prompt',
    );
  });

  it('a failing azd provision stops the run with its exit code', async () => {
    const r = await provision({ azdProvisionExit: 1 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /azd provision --no-prompt failed \(exit 1\) \[AZURE_TOOL_FAILED\]/);
    assert.ok(!r.calls.includes('azd deploy --no-prompt'));
  });

  describe('issue 16 (MEDIUM 4): a shell payload in an id is refused before anything runs', () => {
    const payload = '11111111-2222-3333-4444-555555555555; echo INJECTED > marker';

    it('--subscription carrying `; echo INJECTED > marker` → BAD_ARGUMENT, no tool started, no marker', async () => {
      const tools = createStandIns({ azdEnv: AZD_ENV });
      try {
        const r = await runSherpa(['azure', 'provision', '--subscription', payload], { PATH: tools.binDir });
        assert.equal(r.code, 1, r.stdout);
        assert.match(
          r.stderr,
          /The subscription id .* must be a GUID .*; got .*echo INJECTED.*\[BAD_ARGUMENT\]/,
        );
        assert.deepEqual(tools.calls(), [], 'nothing ran');
        assert.ok(!existsSync(join(tools.binDir, 'marker')) && !existsSync('marker'));
      } finally {
        tools.close();
      }
    });

    it('--env-name / --location with shell characters are refused the same way', async () => {
      const r = await provision({ azdEnv: undefined }, ['--env-name', 'dev;touch x', '--location', 'eastus']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--env-name must be an azd environment name/);
      assert.deepEqual(r.calls, []);
    });

    it("the repository's azd environment naming a non-GUID subscription fails the preflight; no provider check, no azd step", async () => {
      const r = await provision({ azdEnv: { ...AZD_ENV, AZURE_SUBSCRIPTION_ID: payload } });
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        /✘ subscription +the subscription id ".*echo INJECTED > marker" \(azd environment\) is not a GUID/,
      );
      assert.deepEqual(
        r.calls.filter((c) => /^az provider|^azd (provision|deploy|env set|env new)/.test(c)),
        [],
      );
    });
  });
});
