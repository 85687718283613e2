/**
 * The documentation's shape (issue 20 §4): a README that fits on a screen and links every topic in docs/,
 * nothing of the old 815-line README lost in the move, and no relative link pointing at a file that is not
 * there.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Every Markdown file a reader reaches from the README: the README, docs/**, the changelog. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', 'CHANGELOG.md', ...docs].sort();
}

/** Headings outside fenced code blocks (a `# comment` in a bash block is no heading). */
function headings(markdown: string): string[] {
  let fenced = false;
  const found: string[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced && /^#{1,6} /.test(line)) found.push(line.replace(/^#+ /, '').trim());
  }
  return found;
}

/**
 * The second- and third-level headings of the README before it was split (commit 3daa254, 812 lines): each
 * section moved, whole, to a file under docs/ (or stayed in the README) under the same heading.
 */
const OLD_README_SECTIONS = [
  'Two commands',
  'The local lab',
  'The lab as Entra ID',
  'The `sherpa` CLI',
  'Signing in: which client, and how long you have',
  'The VS Code extension',
  'Remote VS Code: code-server, Codespaces, Remote-SSH, WSL, Dev Containers',
  'Switching from the lab to Entra ID and Key Vault',
  'Azure: provision, register, configure, migrate, verify',
  'Audit any MCP server',
  'Servers you do not trust',
  'Where the workshop was wrong, and what Sherpa does instead',
  'Tests',
  'Tested against outsiders',
  'Benchmarks',
  'Limits — what is not exercised here',
  'Layout',
];

/**
 * The folder a file's relative links start from: its own, except the Marketplace page, which vsce packages as
 * the VSIX's root readme (`--readme-path`, relative links kept), so its images are named from the root.
 */
const linkBase = (file: string) => (file === MARKETPLACE_README ? '.' : dirname(file));
const MARKETPLACE_README = 'docs/marketplace/README.md';

describe('documentation', () => {
  it('keeps every section of the old README under its heading, in the README or a file under docs/', () => {
    const all = new Map(markdownFiles().map((f) => [f, headings(read(f))]));
    for (const section of OLD_README_SECTIONS) {
      const homes = [...all].filter(([, hs]) => hs.includes(section)).map(([f]) => f);
      assert.ok(homes.length > 0, `no README.md or docs/ file has the heading "${section}"`);
    }
  });

  it('README fits on a screen or two and keeps the two commands exactly', () => {
    const readme = read('README.md');
    const lines = readme.split('\n').length;
    assert.ok(lines <= 200, `README.md is ${lines} lines: move detail to docs/ and link it`);
    assert.match(readme, /^npm install && npm start {3}# builds, starts the lab/m);
    assert.match(readme, /^npm test {19}# every test/m);
  });

  it("README's Documentation list links every file under docs/", () => {
    const readme = read('README.md');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Documentation\n'));
    assert.ok(section, 'README.md has a "## Documentation" section');
    const linked = new Set([...section.matchAll(/\]\(([^)#\s]+)\)/g)].map((m) => m[1]));
    for (const file of markdownFiles().filter((f) => f.startsWith('docs/'))) {
      assert.ok(linked.has(file), `README's Documentation list does not link ${file}`);
    }
  });

  it('the VSIX is packaged with the Marketplace page as its README, and ships the images it shows', () => {
    const manifest = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.match(manifest.scripts.package!, new RegExp(`--readme-path ${MARKETPLACE_README}( |$)`));
    const ignore = read('.vscodeignore').split('\n');
    assert.ok(ignore.includes('!media/**'), '.vscodeignore keeps media/ (the screenshots) in the VSIX');
    assert.ok(
      !ignore.includes('!README.md'),
      "the repository's README would ship beside the Marketplace page",
    );
    const images = [...read(MARKETPLACE_README).matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length >= 2, 'the Marketplace page shows screenshots');
    for (const image of images) assert.match(image, /^media\//, `${image} is inside the VSIX (media/)`);
  });

  it('one compatibility page: the generated matrix with the clients’ narrative around it', () => {
    const compat = markdownFiles().filter((f) => /compatib/i.test(f));
    assert.deepEqual(compat, ['docs/compatibility.md'], 'fold other compatibility pages into it');
    const page = read('docs/compatibility.md');
    const begin = page.indexOf('<!-- BEGIN GENERATED');
    const end = page.indexOf('<!-- END GENERATED -->');
    assert.ok(begin > 0 && end > begin, 'the generated tables sit between the GENERATED markers');
    // Hand-written prose outside the markers: how the clients sign in, and what they found.
    for (const h of ['Clients', 'How each client signs in without a person', 'What the clients found'])
      assert.ok(headings(page.slice(end)).includes(h), `docs/compatibility.md lacks "${h}" after the tables`);
  });

  it('every relative link in README, CHANGELOG and docs/ names a file that exists', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      let fenced = false;
      for (const line of read(file).split('\n')) {
        if (line.startsWith('```')) fenced = !fenced;
        if (fenced) continue;
        for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target!) || target!.startsWith('#')) continue;
          const path = resolve(ROOT, linkBase(file), target!.split('#')[0]!);
          if (!existsSync(path)) broken.push(`${file} → ${target} (${relative(ROOT, path)})`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });
});
