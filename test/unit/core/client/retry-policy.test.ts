import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConnectionBudget,
  decideOnAuthFailure,
  DEFAULT_RETRY_LIMITS,
} from '../../../../src/core/client/retry-policy';

const fresh = { authorizations: 0, retries: 0 };
const bearer = (o: { error?: string; scope?: string } = {}) => ({ params: {}, ...o });

test('a response that is not 401/403 passes through', () => {
  for (const status of [200, 202, 400, 404, 500]) {
    assert.deepEqual(decideOnAuthFailure({ status, sentToken: true }, fresh, []), { action: 'pass' });
  }
});

test('401 without a token: the first authorization; with a token: the silent retry', () => {
  assert.deepEqual(decideOnAuthFailure({ status: 401, challenge: bearer(), sentToken: false }, fresh, []), {
    action: 'authorize',
    reason: 'initial',
  });
  assert.deepEqual(
    decideOnAuthFailure(
      { status: 401, challenge: bearer({ error: 'invalid_token' }), sentToken: true },
      fresh,
      [],
    ),
    { action: 'authorize', reason: 'retry' },
  );
});

test('only one silent retry per request: a second 401 for a fresh token is returned', () => {
  const d = decideOnAuthFailure({ status: 401, sentToken: true }, { authorizations: 1, retries: 1 }, []);
  assert.equal(d.action, 'give-up');
});

test('403 insufficient_scope steps up; any other 403 is the server answer', () => {
  assert.deepEqual(
    decideOnAuthFailure(
      {
        status: 403,
        challenge: bearer({ error: 'insufficient_scope', scope: 'mcp:write' }),
        sentToken: true,
      },
      fresh,
      ['mcp:basic'],
    ),
    { action: 'authorize', reason: 'step-up' },
  );
  assert.deepEqual(decideOnAuthFailure({ status: 403, challenge: bearer(), sentToken: true }, fresh, []), {
    action: 'pass',
  });
  assert.deepEqual(decideOnAuthFailure({ status: 403, sentToken: true }, fresh, []), { action: 'pass' });
});

test('no step-up for scopes the token already carries (no authorization loop)', () => {
  const d = decideOnAuthFailure(
    { status: 403, challenge: bearer({ error: 'insufficient_scope', scope: 'mcp:admin' }), sentToken: true },
    fresh,
    ['mcp:basic', 'mcp:admin'],
  );
  assert.equal(d.action, 'give-up');
  assert.match((d as { why: string }).why, /already has \(mcp:admin\)/);
});

test('an Entra-style scp (name without its resource) counts as granted for the challenged {resource}/name', () => {
  const failure = {
    status: 403,
    challenge: bearer({ error: 'insufficient_scope', scope: 'https://sherpa.example.io/mcp/access_as_user' }),
    sentToken: true,
  };
  assert.equal(decideOnAuthFailure(failure, fresh, ['access_as_user']).action, 'give-up');
  assert.equal(decideOnAuthFailure(failure, fresh, ['other']).action, 'authorize');
});

test('every request is bounded by maxAuthorizationsPerRequest', () => {
  const failure = {
    status: 403,
    challenge: bearer({ error: 'insufficient_scope', scope: 'mcp:admin' }),
    sentToken: true,
  };
  const max = DEFAULT_RETRY_LIMITS.maxAuthorizationsPerRequest;
  assert.equal(decideOnAuthFailure(failure, { authorizations: max - 1, retries: 0 }, []).action, 'authorize');
  assert.equal(decideOnAuthFailure(failure, { authorizations: max, retries: 0 }, []).action, 'give-up');
  const strict = { ...DEFAULT_RETRY_LIMITS, maxAuthorizationsPerRequest: 1, maxRetriesPerRequest: 0 };
  assert.equal(decideOnAuthFailure({ status: 401, sentToken: true }, fresh, [], strict).action, 'give-up');
});

test('403 insufficient_scope to a request without a token is the first authorization, not a step-up', () => {
  const challenge = bearer({ error: 'insufficient_scope', scope: 'mcp:read' });
  assert.deepEqual(decideOnAuthFailure({ status: 403, challenge, sentToken: false }, fresh, []), {
    action: 'authorize',
    reason: 'initial',
  });
});

test('step-ups are bounded per connection, not only per request', () => {
  const failure = {
    status: 403,
    challenge: bearer({ error: 'insufficient_scope', scope: 'mcp:new' }),
    sentToken: true,
  };
  const max = DEFAULT_RETRY_LIMITS.maxStepUpsPerConnection;
  const at = (connectionStepUps: number) =>
    decideOnAuthFailure(failure, { ...fresh, connectionStepUps }, ['mcp:read']);
  assert.deepEqual(at(max - 1), { action: 'authorize', reason: 'step-up' });
  assert.deepEqual(at(max), {
    action: 'give-up',
    why: `403 insufficient_scope after ${max} step-ups on this connection`,
  });
});

test('a re-obtained token the server never accepted is not replaced again', () => {
  const failure = { status: 401, challenge: bearer({ error: 'invalid_token' }), sentToken: true };
  assert.equal(decideOnAuthFailure(failure, fresh, []).action, 'authorize');
  assert.equal(
    decideOnAuthFailure({ ...failure, retriedTokenNeverAccepted: true }, fresh, []).action,
    'give-up',
  );
});

test('retries are bounded within the connection window', () => {
  const failure = { status: 401, sentToken: true };
  const max = DEFAULT_RETRY_LIMITS.maxRetriesPerWindow;
  assert.equal(
    decideOnAuthFailure(failure, { ...fresh, recentConnectionRetries: max - 1 }, []).action,
    'authorize',
  );
  assert.equal(
    decideOnAuthFailure(failure, { ...fresh, recentConnectionRetries: max }, []).action,
    'give-up',
  );
});

test('ConnectionBudget: retries leave the window as time passes; acceptance clears the never-accepted rule', () => {
  let now = 0;
  const budget = new ConnectionBudget(DEFAULT_RETRY_LIMITS, () => now);
  const refused = (sentWith: string) =>
    budget.decide({ status: 401, sentToken: true, sentWith }, fresh, []).action;
  budget.obtained('t0', 'initial');
  budget.acceptedWith('t0');
  assert.equal(refused('t0'), 'authorize');
  budget.obtained('t1', 'retry');
  assert.equal(refused('t1'), 'give-up', 't1 was never accepted');
  budget.acceptedWith('t1');
  assert.equal(refused('t1'), 'authorize');
  budget.obtained('t2', 'retry');
  budget.acceptedWith('t2');
  assert.equal(refused('t2'), 'give-up', `${DEFAULT_RETRY_LIMITS.maxRetriesPerWindow} retries in the window`);
  now += DEFAULT_RETRY_LIMITS.retryWindowMs + 1;
  assert.equal(refused('t2'), 'authorize', 'the window has moved on');
  budget.acceptedWith('an older token');
  budget.obtained('t3', 'retry');
  budget.acceptedWith('t2');
  assert.equal(refused('t3'), 'give-up', 'only the current token counts as accepted');
});

test('ConnectionBudget counts step-ups for the whole connection', () => {
  const budget = new ConnectionBudget();
  const challenge = bearer({ error: 'insufficient_scope', scope: 'mcp:next' });
  for (let i = 0; i < DEFAULT_RETRY_LIMITS.maxStepUpsPerConnection; i++) {
    assert.equal(budget.decide({ status: 403, challenge, sentToken: true }, fresh, []).action, 'authorize');
    budget.obtained(`t${i}`, 'step-up');
  }
  assert.equal(budget.decide({ status: 403, challenge, sentToken: true }, fresh, []).action, 'give-up');
});
