/**
 * The lab a client interop suite runs against, started before its tests and stopped after them: the hooks
 * are registered in the enclosing `describe`, the returned getters read what `before` started (and fail
 * naming it when `before` did not get that far).
 */
import { readFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { entraLabRoute, type LabRoute } from '../../../src/lab/lab-login';
import { startLabProcess, type LabProcess } from '../lab';

export interface LabSuite {
  readonly lab: LabProcess;
}

export interface EntraLabSuite extends LabSuite {
  /** How a test's "browser" reaches the Entra lab's pages: through its proxy, trusting its CA. */
  readonly route: LabRoute;
}

/** `sherpa lab` for the enclosing describe. */
export function labSuite(): LabSuite {
  let lab: LabProcess | undefined;
  before(async () => {
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
  });
  return {
    get lab() {
      assert.ok(lab, 'the lab did not start (see before)');
      return lab;
    },
  };
}

/** `sherpa lab --entra` (its HTTPS proxy on a free port) for the enclosing describe. */
export function entraLabSuite(): EntraLabSuite {
  let lab: LabProcess | undefined;
  let route: LabRoute | undefined;
  before(async () => {
    lab = await startLabProcess({ args: ['--entra', '--proxy-port', '0'] });
    route = entraLabRoute(lab.entra!, await readFile(lab.entra!.caPath, 'utf8'));
  });
  after(async () => {
    await lab?.stop();
  });
  return {
    get lab() {
      assert.ok(lab, 'the Entra lab did not start (see before)');
      return lab;
    },
    get route() {
      assert.ok(route, 'the Entra lab did not start (see before)');
      return route;
    },
  };
}
