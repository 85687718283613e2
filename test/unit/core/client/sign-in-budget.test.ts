/** The sign-in budget: minutes for a person, Cancel at once, and an end even when the wait ignores its signal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withinSignInBudget } from '../../../../src/core/client/sign-in-budget';
import { isSherpaError } from '../../../../src/core/errors';

const never = () => new Promise<never>(() => undefined); // VS Code's consent dialog: cannot be closed from here

test('a wait that ignores its signal still ends with LOGIN_TIMEOUT, naming where the sign-in was', async () => {
  let aborted = false;
  await assert.rejects(
    withinSignInBudget(
      (signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return never();
      },
      { timeoutMs: 200, at: 'https://as.example' },
    ),
    (e) => isSherpaError(e, 'LOGIN_TIMEOUT') && /sign-in at https:\/\/as\.example/.test(e.message),
  );
  assert.equal(aborted, true, 'the grant was told to stop');
});

test("the caller's cancel ends it at once with LOGIN_ABORTED", async () => {
  const cancel = new AbortController();
  setTimeout(() => cancel.abort(), 50);
  await assert.rejects(
    withinSignInBudget(never, { timeoutMs: 60_000, signal: cancel.signal, at: 'x' }),
    (e) => isSherpaError(e, 'LOGIN_ABORTED'),
  );
});

test("the grant's own failure passes through unchanged", async () => {
  const failure = new Error('refused');
  await assert.rejects(
    withinSignInBudget(() => Promise.reject(failure), { timeoutMs: 60_000, at: 'x' }),
    (e) => e === failure,
  );
});
