import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { showsServersWelcome } from '../../../../src/extension/views/servers-welcome';
import type { ConnectionStatus } from '../../../../src/extension/connect/connection-registry';

const lab = (status: ConnectionStatus = 'disconnected') => ({ status, added: false });

describe('Servers view welcome', () => {
  it('shows while the lab is stopped and both lab servers are merely disconnected', () => {
    assert.equal(
      showsServersWelcome({ lab: 'stopped', serverUrlConfigured: false, servers: [lab(), lab()] }),
      true,
    );
  });

  it('gives way to rows as soon as the lab starts, runs or is stopping', () => {
    for (const state of ['starting', 'running', 'stopping'] as const) {
      assert.equal(
        showsServersWelcome({ lab: state, serverUrlConfigured: false, servers: [lab(), lab()] }),
        false,
        state,
      );
    }
  });

  it('shows rows when any server is connecting, connected or failed, even with the lab stopped', () => {
    for (const status of ['connecting', 'connected', 'failed'] as const) {
      assert.equal(
        showsServersWelcome({ lab: 'stopped', serverUrlConfigured: false, servers: [lab(), lab(status)] }),
        false,
        status,
      );
    }
  });

  it('shows rows for a server added by URL, and when the settings name a server URL', () => {
    assert.equal(
      showsServersWelcome({
        lab: 'stopped',
        serverUrlConfigured: false,
        servers: [lab(), lab(), { status: 'disconnected', added: true }],
      }),
      false,
    );
    assert.equal(
      showsServersWelcome({ lab: 'stopped', serverUrlConfigured: true, servers: [lab(), lab()] }),
      false,
    );
  });
});
