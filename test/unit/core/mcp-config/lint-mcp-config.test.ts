import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, parse } from 'jsonc-parser';
import { fixLiteralSecret, lintMcpConfig } from '../../../../src/core/mcp-config/lint-mcp-config';

const CONFIG = `{
  // a comment, as VS Code allows
  "servers": {
    "prod": {
      "type": "http",
      "url": "http://mcp.example.com/mcp",
      "headers": { "Authorization": "Bearer camp1_demo_token_INSECURE", "X-Trace": "on" }
    },
    "local": {
      "type": "stdio",
      "command": "node",
      "env": { "API_KEY": "sk-live-1234567890", "LOG_LEVEL": "debug", "TOKEN": "\${input:tok}" }
    },
    "lab": { "type": "http", "url": "http://127.0.0.1:7482/mcp" }
  },
}`;

describe('lintMcpConfig', () => {
  it('finds literal credentials in headers and env, and plain http off loopback', () => {
    const issues = lintMcpConfig(CONFIG);
    assert.deepEqual(
      issues.map((i) => [i.kind, i.path.join('.')]),
      [
        ['literal-secret', 'servers.prod.headers.Authorization'],
        ['insecure-url', 'servers.prod.url'],
        ['literal-secret', 'servers.local.env.API_KEY'],
      ],
    );
    const auth = issues[0]!;
    assert.equal(CONFIG.slice(auth.offset, auth.offset + auth.length), '"Bearer camp1_demo_token_INSECURE"');
    assert.match(auth.message, /MCP01/);
  });

  it('leaves variables, harmless values and loopback http alone', () => {
    assert.deepEqual(
      lintMcpConfig(
        '{"servers":{"a":{"url":"http://localhost:1/mcp","headers":{"Authorization":"Bearer ${input:t}"}}}}',
      ),
      [],
    );
    assert.deepEqual(lintMcpConfig('not json at all {'), []);
  });

  it('the fix moves the secret into a password input and keeps the Bearer scheme', () => {
    const issue = lintMcpConfig(CONFIG)[0]!;
    const fixed = applyEdits(CONFIG, fixLiteralSecret(CONFIG, issue));
    const doc = parse(fixed) as {
      servers: { prod: { headers: Record<string, string> } };
      inputs: { id: string; type: string; password: boolean }[];
    };
    assert.equal(doc.servers.prod.headers.Authorization, 'Bearer ${input:prod-authorization}');
    assert.deepEqual(doc.inputs[0], {
      type: 'promptString',
      id: 'prod-authorization',
      description: 'Authorization for the MCP server "prod"',
      password: true,
    });
    assert.equal(fixed.includes('camp1_demo_token_INSECURE'), false, 'the literal is gone');
    assert.match(fixed, /\/\/ a comment/, 'comments survive');
    assert.deepEqual(
      lintMcpConfig(fixed).map((i) => i.path.join('.')),
      ['servers.prod.url', 'servers.local.env.API_KEY'],
    );
  });

  it('picks a fresh input id when one is taken', () => {
    const text =
      '{"inputs":[{"type":"promptString","id":"a-token"}],"servers":{"a":{"env":{"TOKEN":"abcdef123"}}}}';
    const fixed = applyEdits(text, fixLiteralSecret(text, lintMcpConfig(text)[0]!));
    assert.match(fixed, /\$\{input:a-token-2\}/);
  });
});
