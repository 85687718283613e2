import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findBearerChallenge, parseWwwAuthenticate } from '../../../../src/core/discovery/www-authenticate';

test('parses a Bearer challenge with quoted and token params', () => {
  const [c, ...rest] = parseWwwAuthenticate(
    'Bearer realm="mcp", error=invalid_token, error_description="The token expired", resource_metadata="http://127.0.0.1:7482/.well-known/oauth-protected-resource/mcp"',
  );
  assert.equal(rest.length, 0);
  assert.equal(c!.scheme, 'Bearer');
  assert.deepEqual(c!.params, {
    realm: 'mcp',
    error: 'invalid_token',
    error_description: 'The token expired',
    resource_metadata: 'http://127.0.0.1:7482/.well-known/oauth-protected-resource/mcp',
  });
});

test('handles commas and escaped quotes inside quoted strings', () => {
  const [c] = parseWwwAuthenticate('Bearer error_description="a, b \\"quoted\\" \\\\ c", scope="x y"');
  assert.equal(c!.params.error_description, 'a, b "quoted" \\ c');
  assert.equal(c!.params.scope, 'x y');
});

test('splits multiple challenges, including param-less and token68 ones', () => {
  const cs = parseWwwAuthenticate(
    'Negotiate, Basic realm="x", Bearer scope="a b", Custom abc123==, DPoP algs="ES256"',
  );
  assert.deepEqual(
    cs.map((c) => c.scheme),
    ['Negotiate', 'Basic', 'Bearer', 'Custom', 'DPoP'],
  );
  assert.equal(cs[3]!.token68, 'abc123==');
  assert.deepEqual(cs[0]!.params, {});
  assert.equal(cs[4]!.params.algs, 'ES256');
});

test('param names are case-insensitive, first duplicate wins, whitespace around = tolerated', () => {
  const [c] = parseWwwAuthenticate('bearer Scope = "one", scope="two",  ERROR=insufficient_scope');
  assert.equal(c!.params.scope, 'one');
  assert.equal(c!.params.error, 'insufficient_scope');
});

test('empty, missing and garbage headers do not throw', () => {
  assert.deepEqual(parseWwwAuthenticate(undefined), []);
  assert.deepEqual(parseWwwAuthenticate(''), []);
  assert.deepEqual(parseWwwAuthenticate(' , ,'), []);
  const cs = parseWwwAuthenticate('"junk", Bearer realm="ok"');
  assert.equal(cs.at(-1)!.scheme, 'Bearer');
  assert.equal(cs.at(-1)!.params.realm, 'ok');
  // Unterminated quoted string runs to the end instead of throwing.
  assert.equal(parseWwwAuthenticate('Bearer realm="open')[0]!.params.realm, 'open');
});

test('findBearerChallenge picks the Bearer challenge among others and maps OAuth fields', () => {
  const b = findBearerChallenge(
    'Basic realm="legacy", Bearer error="insufficient_scope", scope="api://x/access_as_user admin", resource_metadata="https://h/.well-known/oauth-protected-resource/mcp"',
  );
  assert.ok(b);
  assert.equal(b.error, 'insufficient_scope');
  assert.equal(b.scope, 'api://x/access_as_user admin');
  assert.equal(b.resourceMetadata, 'https://h/.well-known/oauth-protected-resource/mcp');
  assert.equal(findBearerChallenge('Basic realm="x"'), undefined);
});

test('a parameter name that is a suffix of another is not confused with it', () => {
  // The SDK's regex helper would read "scope" out of "xscope"; this parser must not.
  const b = findBearerChallenge('Bearer xscope="wrong", scope="right"');
  assert.equal(b!.scope, 'right');
});
