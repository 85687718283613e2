/**
 * Issue 20 §5: what VS Code loads to activate Sherpa (the entry and its static imports, esbuild.mjs) holds
 * no Azure SDK, no undici, no MCP SDK, no audit probes and no lab: those chunks load through `import()`
 * when a command first needs them. A structural property of the build, not a size or a timing (the bench
 * reports those).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { activationClosure } from '../../support/activation-closure';
// @ts-expect-error -- a plain .mjs script without type declarations
import { extensionBuild } from '../../../esbuild.mjs';

/** Packages and Sherpa modules that must stay off the activation path, each by a path fragment. */
const LAZY = [
  'node_modules/@azure/',
  'node_modules/@modelcontextprotocol/sdk/',
  'node_modules/undici/',
  'node_modules/ajv/',
  'node_modules/re2js/',
  'src/core/azure/configure-app.ts',
  'src/core/audit/run-audit.ts',
  'src/core/mcp/mcp-connect.ts',
  'src/extension/commands/azure-commands.ts',
  'src/extension/commands/audit-commands.ts',
];
/** Never in the extension at all: the lab runs as its own process (dist/sherpa.mjs). */
const NEVER = ['node_modules/oidc-provider/', 'src/servers/', 'src/lab/lab.ts'];
// The lab's identities (tenant, client ids, users: constants, no code) are the one servers/ file the
// extension shares — it recognises the lab's issuer and offers its users.
const SHARED_IDENTITIES = 'src/servers/shared/lab-defaults.ts';

describe('the extension bundle: what activation loads (issue 20 §5)', async () => {
  const result = await esbuild.build({ ...(extensionBuild as esbuild.BuildOptions), write: false });
  const meta = result.metafile!;
  const closure = activationClosure(meta, 'dist/extension/extension.mjs');
  const everything = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));

  it('activation loads the entry and shared chunks only', () => {
    assert.ok(closure.inputs.includes('src/extension/extension.ts'));
    assert.ok(
      closure.inputs.some((i) => i.startsWith('src/extension/views/')),
      'views are built at activation',
    );
  });

  for (const lazy of LAZY) {
    it(`${lazy} is not on the activation path, but is in a chunk loaded on demand`, () => {
      assert.deepEqual(
        closure.inputs.filter((i) => i.includes(lazy)),
        [],
      );
      assert.ok(
        everything.some((i) => i.includes(lazy)),
        `${lazy} is bundled nowhere: the command that needs it would fail`,
      );
    });
  }

  it('the lab and its oidc-provider are never bundled into the extension', () => {
    assert.deepEqual(
      everything.filter((i) => i !== SHARED_IDENTITIES && NEVER.some((n) => i.includes(n))),
      [],
    );
  });
});
