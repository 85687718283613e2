import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseTargetList, readAuditTargets } from '../../../../src/core/audit/targets';
import { SherpaError } from '../../../../src/core/errors';

describe('audit targets', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sherpa-targets-'));
    const mcpJson = (servers: object) => JSON.stringify({ servers, inputs: [] }, null, 2);
    await mkdir(join(dir, 'svc-a', '.vscode'), { recursive: true });
    await writeFile(
      join(dir, 'svc-a', '.vscode', 'mcp.json'),
      // VS Code writes JSONC: comments and trailing commas are fine.
      `// team servers\n${mcpJson({
        prod: { type: 'http', url: 'https://mcp.example.com/mcp' },
        local: { type: 'stdio', command: 'node', args: ['server.js'] },
        legacy: { command: 'python', args: ['-m', 'srv'] },
        templated: { type: 'http', url: 'https://${input:host}/mcp' },
      }).replace(/}\n}/, '},\n}')}`,
    );
    await mkdir(join(dir, '.vscode'), { recursive: true });
    await writeFile(
      join(dir, '.vscode', 'mcp.json'),
      mcpJson({ root: { type: 'sse', url: 'http://127.0.0.1:7481/mcp' } }),
    );
    // Another project's configuration inside dependencies is not this repository's.
    await mkdir(join(dir, 'node_modules', 'dep', '.vscode'), { recursive: true });
    await writeFile(
      join(dir, 'node_modules', 'dep', '.vscode', 'mcp.json'),
      mcpJson({ dep: { type: 'http', url: 'https://dep.example/mcp' } }),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a folder: every .vscode/mcp.json under it (not node_modules), stdio and ${…} servers skipped with why', async () => {
    const targets = await readAuditTargets(dir);
    assert.deepEqual(
      targets.map((t) => [t.source, t.name, t.url ?? null, t.skipped ?? null]),
      [
        ['.vscode/mcp.json', 'root', 'http://127.0.0.1:7481/mcp', null],
        ['svc-a/.vscode/mcp.json', 'prod', 'https://mcp.example.com/mcp', null],
        [
          'svc-a/.vscode/mcp.json',
          'local',
          null,
          'stdio server: a local process, nothing to audit over HTTP',
        ],
        [
          'svc-a/.vscode/mcp.json',
          'legacy',
          null,
          'stdio server: a local process, nothing to audit over HTTP',
        ],
        ['svc-a/.vscode/mcp.json', 'templated', null, 'the URL uses a ${…} variable only VS Code resolves'],
      ],
    );
  });

  it('a list file: one URL per line with comments, a JSON array of URLs or {name, url}, or an mcp.json', () => {
    assert.deepEqual(
      parseTargetList(
        '# servers\nhttps://a.example/mcp\n\n  http://127.0.0.1:1/mcp  \nftp://x\n',
        'l.txt',
      ).map((t) => [t.name, t.url ?? t.skipped]),
      [
        ['https://a.example/mcp', 'https://a.example/mcp'],
        ['http://127.0.0.1:1/mcp', 'http://127.0.0.1:1/mcp'],
        ['ftp://x', 'not an http(s) URL: ftp://x'],
      ],
    );
    assert.deepEqual(
      parseTargetList(
        '["https://a.example/mcp", {"name": "b", "url": "https://b.example/mcp"}]',
        'l.json',
      ).map((t) => t.name),
      ['https://a.example/mcp', 'b'],
    );
    assert.deepEqual(
      parseTargetList('{"mcpServers": {"c": {"url": "https://c.example/mcp"}}}', 'claude.json').map(
        (t) => t.url,
      ),
      ['https://c.example/mcp'],
    );
  });

  it('bad input names the fix: missing path, broken JSON, an entry that is not a server, nothing found', async () => {
    const code = async (p: Promise<unknown>) =>
      (await p.then(
        () => undefined,
        (e: unknown) => e,
      )) as SherpaError;
    assert.equal((await code(readAuditTargets(join(dir, 'nope')))).code, 'BAD_ARGUMENT');
    assert.throws(() => parseTargetList('[1, ', 'x.json'), /not valid JSON/);
    assert.throws(() => parseTargetList('[42]', 'x.json'), /entry 0 is neither a URL/);
    const empty = await mkdtemp(join(tmpdir(), 'sherpa-targets-empty-'));
    try {
      const err = await code(readAuditTargets(empty));
      assert.match(err.message, /no server in a \.vscode\/mcp\.json/);
      assert.match(err.hint ?? '', /one MCP URL per line/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
