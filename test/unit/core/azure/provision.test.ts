/**
 * Issue 16 (MEDIUM 4): Provision's steps are argument vectors built from validated ids. A subscription
 * id carrying `; echo INJECTED > marker` is refused before any step exists, and no value is ever part of
 * a command line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { provisionSteps } from '../../../../src/core/azure/provision';
import { isSherpaError } from '../../../../src/core/errors';

const SUB = '11111111-2222-3333-4444-555555555555';
const INJECTED = `${SUB}; echo INJECTED > marker`;

describe('provisionSteps (issue 16, MEDIUM 4)', () => {
  it('refuses a subscription id with a shell payload, from the person or from the azd environment', () => {
    const bad = (f: () => unknown) =>
      assert.throws(f, (e: unknown) => isSherpaError(e, 'BAD_ARGUMENT') && /GUID/.test((e as Error).message));
    bad(() =>
      provisionSteps({ items: [], ok: true, subscriptionId: INJECTED }, { subscriptionId: INJECTED }),
    );
    bad(() => provisionSteps({ items: [], ok: true, subscriptionId: INJECTED, azdEnv: {} }, {}));
    assert.throws(
      () =>
        provisionSteps(
          { items: [], ok: true, subscriptionId: SUB },
          { envName: 'dev;id', location: 'eastus' },
        ),
      /--env-name/,
    );
    assert.throws(
      () =>
        provisionSteps(
          { items: [], ok: true, subscriptionId: SUB },
          { envName: 'dev', location: 'eastus&&id' },
        ),
      /--location/,
    );
  });

  it('every step is a program and an argv, each id one whole element', () => {
    const steps = provisionSteps(
      { items: [], ok: true, subscriptionId: SUB },
      { envName: 'sherpa-dev', location: 'eastus' },
    );
    assert.deepEqual(
      steps.map((s) => [s.command, ...s.args]),
      [
        ['azd', 'env', 'new', 'sherpa-dev', '--subscription', SUB, '--location', 'eastus', '--no-prompt'],
        ['azd', 'provision', '--no-prompt'],
        ['azd', 'deploy', '--no-prompt'],
        ['azd', 'provision', '--no-prompt'],
      ],
    );
    for (const s of steps) assert.ok(!/\s/.test(s.command) && s.args.every((a) => !/[\s;&|]/.test(a)));
  });
});
