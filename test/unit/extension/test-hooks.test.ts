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

  it('the strategies run the real one until a hook is set, then the hook, then the real one again', async () => {
    const slot = new TestHookSlot();
    const calls: string[] = [];
    const open = slot.browser(async (u) => void calls.push(`real ${u.host}`));
    const confirm = slot.stepUp(async () => (calls.push('real modal'), false));
    await open(new URL('https://a.example/'));
    assert.equal(await confirm(['x']), false);
    const restore = slot.set({
      openBrowser: async (u) => void calls.push(`test ${u.host}`),
      confirmStepUp: async (s) => (calls.push(`test ${s.join()}`), true),
    });
    await open(new URL('https://b.example/'));
    assert.equal(await confirm(['y']), true);
    restore();
    await open(new URL('https://c.example/'));
    assert.deepEqual(calls, ['real a.example', 'real modal', 'test b.example', 'test y', 'real c.example']);
  });

  it('sessions come from VS Code unless callProviderDirectly is set', async () => {
    const slot = new TestHookSlot();
    const source = (name: string) => ({
      name,
      getSilently: async () => undefined,
      getOrCreate: async () => {
        throw new Error(name);
      },
    });
    const sessions = slot.sessions(source('getSession'), source('provider'));
    assert.equal(sessions.name, 'getSession');
    const restore = slot.set({ callProviderDirectly: true });
    assert.equal(sessions.name, 'provider');
    await assert.rejects(sessions.getOrCreate([], { forceNew: false, detail: '' }), /provider/);
    restore();
    assert.equal(sessions.name, 'getSession');
  });
});
