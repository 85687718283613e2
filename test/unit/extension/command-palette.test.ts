/**
 * The Command Palette as a newcomer reads it (package.json + package.nls.json): three groups told apart by
 * their category, no two commands with the same name, view plumbing hidden, and every title the e2e
 * tests type into the palette really is a command's.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('../../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');
const nls = JSON.parse(read('package.nls.json')) as Record<string, string>;
const manifest = JSON.parse(read('package.json')) as {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: { commandPalette?: { command: string; when?: string }[] };
  };
};
const localised = (v: string | undefined) => (v?.startsWith('%') ? nls[v.slice(1, -1)] : v);
const commands = manifest.contributes.commands.map((c) => ({
  id: c.command,
  title: localised(c.title)!,
  category: localised(c.category)!,
}));
const paletteWhen = new Map(
  (manifest.contributes.menus.commandPalette ?? []).map((m) => [m.command, m.when]),
);
/** What the palette lists for a command that no `when: false` hides. */
const shown = commands
  .filter((c) => paletteWhen.get(c.id) !== 'false')
  .map((c) => `${c.category}: ${c.title}`);

describe('Command Palette', () => {
  it('every command is in one of three groups: the lab, Azure, or any server', () => {
    for (const c of commands) {
      assert.ok(c.title, `${c.id} has a title`);
      const expected = c.id.startsWith('sherpa.azure.')
        ? 'Sherpa Azure'
        : c.id.startsWith('sherpa.lab.') ||
            ['sherpa.connectSecure', 'sherpa.connectVulnerable', 'sherpa.validateSecurity'].includes(c.id)
          ? 'Sherpa Lab'
          : undefined;
      assert.ok(['Sherpa', 'Sherpa Lab', 'Sherpa Azure'].includes(c.category), `${c.id}: ${c.category}`);
      if (expected) assert.equal(c.category, expected, c.id);
    }
  });

  it('no two commands read alike, and the sign-in commands say what they sign in to', () => {
    assert.equal(new Set(shown).size, shown.length, shown.join('\n'));
    const signIn = commands
      .filter((c) => /Sign (In|Out)/.test(c.title))
      .map((c) => `${c.category}: ${c.title}`);
    for (const t of signIn) assert.match(t, /Azure|MCP Server/, t);
  });

  it('view plumbing is hidden: Refresh and the row-only actions', () => {
    for (const id of ['sherpa.refreshViews', 'sherpa.copyClaimValue'])
      assert.equal(paletteWhen.get(id), 'false', id);
    // Exports only once there is something to export.
    assert.equal(paletteWhen.get('sherpa.audit.exportSarif'), 'sherpa.hasAudit');
    assert.equal(paletteWhen.get('sherpa.azure.exportVerifyReport'), 'sherpa.hasVerifyReport');
  });

  it("every Sherpa title the e2e tests type into the palette is a command's", () => {
    const typed = new Set<string>();
    for (const f of readdirSync(new URL('test/e2e/', root)).filter((n) => n.endsWith('.ts'))) {
      for (const m of read(`test/e2e/${f}`).matchAll(/runCommand\([^,]+,\s*'(Sherpa[^']*)'/g))
        typed.add(m[1]!);
    }
    assert.ok(typed.size >= 5, [...typed].join(', '));
    // "Focus on … View" is VS Code's own command for each contributed view.
    const missing = [...typed].filter((t) => !shown.includes(t) && !/^Sherpa: Focus on .+ View$/.test(t));
    assert.deepEqual(missing, []);
  });
});
