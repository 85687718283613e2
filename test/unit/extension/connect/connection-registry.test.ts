import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSherpaError } from '../../../../src/core/errors';
import { ConnectionRegistry } from '../../../../src/extension/connect/connection-registry';
import {
  configuredServers,
  LAB_SECURE_SERVER_ID,
  SECURE_SERVER_ID,
  VULNERABLE_SERVER_ID,
} from '../../../../src/extension/connect/server-target';

/** A session that records whether it was closed: the registry must close what it drops. */
class FakeSession {
  closed = 0;
  async close(): Promise<void> {
    this.closed++;
  }
}

function registry(
  urls = { secureUrl: 'http://127.0.0.1:7482/mcp', vulnerableUrl: 'http://127.0.0.1:7481/mcp' },
) {
  const endpoints = { ...urls };
  const r = new ConnectionRegistry<FakeSession>(() => configuredServers(endpoints));
  let changes = 0;
  r.onDidChange(() => changes++);
  return { r, endpoints, changes: () => changes };
}

describe('connection registry (keyed by server id)', () => {
  it('lists the configured servers, vulnerable first, disconnected until told otherwise', () => {
    const { r } = registry();
    assert.deepEqual(
      r.list().map((c) => [c.id, c.auth, c.status]),
      [
        [VULNERABLE_SERVER_ID, 'static-token', 'disconnected'],
        [SECURE_SERVER_ID, 'oauth', 'disconnected'],
      ],
    );
  });

  it('holds any number of added servers side by side with their own state', () => {
    const { r } = registry();
    const a = r.add(new URL('https://a.example/mcp'));
    const b = r.add(new URL('https://b.example/mcp'), 'B server');
    r.update({ ...a, status: 'connected', tools: [{ name: 'x', inputSchema: { type: 'object' } }] });
    r.update({ ...b, status: 'failed', tools: [], error: 'nope' });
    r.update({ ...r.get(SECURE_SERVER_ID), status: 'connected', tools: [] });
    const byId = Object.fromEntries(r.list().map((c) => [c.id, c]));
    assert.equal(byId[a.id]!.status, 'connected');
    assert.equal(byId[a.id]!.tools.length, 1);
    assert.equal(byId[b.id]!.status, 'failed');
    assert.equal(byId[b.id]!.label, 'B server');
    assert.equal(byId[SECURE_SERVER_ID]!.status, 'connected');
    assert.equal(byId[VULNERABLE_SERVER_ID]!.status, 'disconnected');
    assert.equal(r.list().length, 4);
  });

  it('adding a URL it already knows returns that server (configured or added), not a second row', () => {
    const { r } = registry();
    assert.equal(r.add(new URL('http://127.0.0.1:7482/mcp')).id, SECURE_SERVER_ID);
    const a = r.add(new URL('https://a.example/mcp'));
    assert.equal(r.add(new URL('https://a.example/mcp')).id, a.id);
    assert.equal(r.list().length, 3);
  });

  it('a state recorded for another URL shows as disconnected once the setting or the lab moved', () => {
    const { r, endpoints } = registry();
    r.update({ ...r.get(SECURE_SERVER_ID), status: 'connected', tools: [] });
    endpoints.secureUrl = 'http://127.0.0.1:9999/mcp';
    const secure = r.get(SECURE_SERVER_ID);
    assert.equal(secure.url, 'http://127.0.0.1:9999/mcp');
    assert.equal(secure.status, 'disconnected');
  });

  it('disconnect closes the session and keeps the row; remove forgets an added server only', async () => {
    const { r } = registry();
    const a = r.add(new URL('https://a.example/mcp'));
    const s = new FakeSession();
    r.setSession(a.id, s);
    r.update({ ...a, status: 'connected', tools: [] });
    await r.disconnect(a.id);
    assert.equal(s.closed, 1);
    assert.equal(r.session(a.id), undefined);
    assert.equal(r.get(a.id).status, 'disconnected');
    const t = new FakeSession();
    r.setSession(a.id, t);
    assert.equal(await r.remove(a.id), true);
    assert.equal(t.closed, 1);
    assert.equal(r.find(a.id), undefined);
    assert.equal(await r.remove(SECURE_SERVER_ID), false, 'the configured servers stay');
    assert.ok(r.find(SECURE_SERVER_ID));
  });

  it("the running lab's servers are listed too when the settings name others (an Azure deployment)", () => {
    const lab = { secure: 'http://127.0.0.1:7482/mcp', vulnerable: 'http://127.0.0.1:7481/mcp' };
    const same = new ConnectionRegistry<FakeSession>(() =>
      configuredServers({ secureUrl: lab.secure, vulnerableUrl: lab.vulnerable }, lab),
    );
    assert.equal(same.list().length, 2, 'the settings already name the lab: no second row');
    const azure = new ConnectionRegistry<FakeSession>(() =>
      configuredServers(
        { secureUrl: 'https://ca-secure.example.azurecontainerapps.io/mcp', vulnerableUrl: lab.vulnerable },
        lab,
      ),
    );
    assert.deepEqual(
      azure.list().map((c) => [c.id, c.url, c.auth]),
      [
        [VULNERABLE_SERVER_ID, lab.vulnerable, 'static-token'],
        [SECURE_SERVER_ID, 'https://ca-secure.example.azurecontainerapps.io/mcp', 'oauth'],
        [LAB_SECURE_SERVER_ID, lab.secure, 'oauth'],
      ],
    );
    assert.equal(
      azure.add(new URL(lab.secure)).id,
      LAB_SECURE_SERVER_ID,
      'adding the lab URL finds that row',
    );
  });

  it('an unknown id is UNKNOWN_SERVER with a hint, not a crash', () => {
    const { r } = registry();
    assert.throws(
      () => r.get('url:https://gone.example/mcp'),
      (e) => isSherpaError(e as Error) && (e as { code: string }).code === 'UNKNOWN_SERVER',
    );
  });

  it('tells its listeners about every change and closes every session on dispose', () => {
    const { r, changes } = registry();
    const a = r.add(new URL('https://a.example/mcp'));
    r.update({ ...a, status: 'connecting', tools: [] });
    assert.equal(changes(), 2);
    assert.equal(r.anyConnected(), false);
    r.update({ ...a, status: 'connected', tools: [] });
    assert.equal(r.anyConnected(), true);
    const s = new FakeSession();
    r.setSession(a.id, s);
    r.dispose();
    assert.equal(s.closed, 1);
  });
});
