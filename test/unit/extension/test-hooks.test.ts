import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestHookSlot } from '../../../src/extension/test-hooks';

describe('test hook slot', () => {
  it('starts empty: every strategy falls back to the real one', () => {
    assert.deepEqual(new TestHookSlot().current, {});
  });

  it('set() merges, and the returned function restores exactly what was there before', () => {
    const slot = new TestHookSlot();
    const browser = async () => undefined;
    const outer = slot.set({ openBrowser: browser, callProviderDirectly: true });
    const inner = slot.set({ signInTimeoutMs: 1500 });
    assert.equal(slot.current.openBrowser, browser);
    assert.equal(slot.current.signInTimeoutMs, 1500);
    inner();
    assert.deepEqual(Object.keys(slot.current).sort(), ['callProviderDirectly', 'openBrowser']);
    outer();
    assert.deepEqual(slot.current, {});
  });
});
