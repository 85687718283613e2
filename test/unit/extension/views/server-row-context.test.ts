import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { serverRowContext } from '../../../../src/extension/views/server-row-context';

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}

const manifest = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
  contributes: { menus: Record<string, MenuItem[]> };
};

/**
 * The `when` clauses this view's menus use: `view == x`, `viewItem == x`, `viewItem =~ /re/` joined by
 * `&&`. Anything else fails the test, so a new kind of clause is not silently taken as true.
 */
function holds(when: string, view: string, viewItem: string): boolean {
  return when.split('&&').every((raw) => {
    const clause = raw.trim();
    const eq = /^(view|viewItem) == (\S+)$/.exec(clause);
    if (eq) return (eq[1] === 'view' ? view : viewItem) === eq[2];
    const re = /^viewItem =~ \/(.+)\/$/.exec(clause);
    if (re) return new RegExp(re[1]!).test(viewItem);
    throw new Error(`unexpected when clause: ${clause}`);
  });
}

/** The row's actions: `inline` ones (icons on the row) and the right-click menu's, by command id. */
function actions(viewItem: string): { inline: string[]; menu: string[] } {
  const items = manifest.contributes.menus['view/item/context']!.filter((m) =>
    holds(m.when ?? '', 'sherpa.servers', viewItem),
  );
  const inline = items.filter((m) => m.group?.startsWith('inline')).map((m) => m.command);
  const menu = items.filter((m) => !m.group?.startsWith('inline')).map((m) => m.command);
  return { inline, menu };
}

describe('Servers view row context', () => {
  it('says how the server is connected, whether it was added and whether it failed', () => {
    assert.equal(
      serverRowContext({ auth: 'oauth', added: false, status: 'connected' }),
      'sherpa.server.oauth',
    );
    assert.equal(
      serverRowContext({ auth: 'static-token', added: false, status: 'failed' }),
      'sherpa.server.static-token.failed',
    );
    assert.equal(
      serverRowContext({ auth: 'oauth', added: true, status: 'failed' }),
      'sherpa.server.oauth.added.failed',
    );
  });

  it('a failed added server offers Remove Server inline and on right-click, with Show Log', () => {
    const a = actions(serverRowContext({ auth: 'oauth', added: true, status: 'failed' }));
    assert.ok(a.inline.includes('sherpa.removeServer'), JSON.stringify(a));
    assert.ok(a.menu.includes('sherpa.removeServer'), JSON.stringify(a));
    assert.ok(a.menu.includes('sherpa.showLog'), JSON.stringify(a));
    assert.ok(a.inline.includes('sherpa.connectServer'), 'and trying again');
  });

  it('the configured servers cannot be removed; Show Log only after a failure', () => {
    for (const auth of ['oauth', 'static-token'] as const) {
      const failed = actions(serverRowContext({ auth, added: false, status: 'failed' }));
      assert.ok(
        !failed.inline.includes('sherpa.removeServer') && !failed.menu.includes('sherpa.removeServer'),
      );
      assert.ok(failed.menu.includes('sherpa.showLog'));
      const ok = actions(serverRowContext({ auth, added: false, status: 'connected' }));
      assert.ok(!ok.menu.includes('sherpa.showLog'), JSON.stringify(ok));
      assert.ok(ok.inline.includes('sherpa.auditServer'), JSON.stringify(ok));
    }
    const added = actions(serverRowContext({ auth: 'oauth', added: true, status: 'connected' }));
    assert.ok(added.inline.includes('sherpa.removeServer'), 'an added server can always be removed');
  });
});
