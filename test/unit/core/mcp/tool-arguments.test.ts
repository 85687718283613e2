import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { LinearPattern } from '../../../../src/core/mcp/schema-regexp';
import {
  MAX_ARGUMENT_CHARS,
  createArgumentChecker,
  prefillArguments,
} from '../../../../src/core/mcp/tool-arguments';

/** What the secure server's get_user_info advertises (zod → JSON Schema by the MCP SDK). */
const GET_USER_INFO = {
  type: 'object',
  properties: { user_id: { type: 'string', maxLength: 64, description: 'Directory id, e.g. user_001' } },
  required: ['user_id'],
  additionalProperties: false,
  $schema: 'http://json-schema.org/draft-07/schema#',
};

describe('prefillArguments', () => {
  test("a user-id field gets the caller's own id", () => {
    assert.deepEqual(prefillArguments(GET_USER_INFO, { userId: 'user_002' }), { user_id: 'user_002' });
  });
  test('without an id: the example from the description (not a made-up "alice")', () => {
    assert.deepEqual(prefillArguments(GET_USER_INFO), { user_id: 'user_001' });
  });
  test('default, examples, enum, const and empty values by type; required properties first', () => {
    const schema = {
      type: 'object',
      properties: {
        note: { type: 'string' },
        count: { type: 'integer', description: 'How many, e.g. 5' },
        flag: { type: 'boolean' },
        mode: { enum: ['fast', 'slow'] },
        tag: { type: 'string', examples: ['blue'] },
        limit: { type: 'number', default: 10 },
        fixed: { const: 'x' },
        list: { type: 'array' },
      },
      required: ['tag'],
    };
    const args = prefillArguments(schema);
    assert.equal(Object.keys(args)[0], 'tag');
    assert.deepEqual(args, {
      tag: 'blue',
      note: '',
      count: 5,
      flag: false,
      mode: 'fast',
      limit: 10,
      fixed: 'x',
      list: [],
    });
  });
  test('no schema or no properties: {}', () => {
    assert.deepEqual(prefillArguments(undefined), {});
    assert.deepEqual(prefillArguments({ type: 'object' }), {});
  });
});

describe('createArgumentChecker', () => {
  const check = createArgumentChecker(GET_USER_INFO);
  test('valid arguments pass', () => {
    assert.deepEqual(check('{"user_id":"user_001"}'), { ok: true, args: { user_id: 'user_001' } });
  });
  test('schema violations are named: missing, wrong type, too long, unknown argument', () => {
    const cases: Array<[string, RegExp]> = [
      ['{}', /user_id: is required/],
      ['{"user_id": 1}', /user_id: must be string/],
      [JSON.stringify({ user_id: 'u'.repeat(65) }), /user_id: must NOT have more than 64 characters/],
      ['{"user_id":"a","extra":1}', /extra: is not an argument of this tool/],
    ];
    for (const [text, message] of cases) {
      const r = check(text);
      assert.equal(r.ok, false, text);
      if (!r.ok) assert.match(r.message, message);
    }
  });
  test('not JSON, or not an object: refused with a message', () => {
    for (const text of ['{user_id: alice}', '[]', '"x"', 'null']) assert.equal(check(text).ok, false, text);
  });
  test('an unusable or oversized schema from the server: arguments pass unchecked, with the reason', () => {
    const broken = createArgumentChecker({ type: 'object', properties: { a: { type: 'no-such-type' } } });
    const r = broken('{"a":1}');
    assert.equal(r.ok, true);
    assert.ok('unchecked' in r && /not usable/.test(r.unchecked));
    const remoteRef = createArgumentChecker({ $ref: 'https://evil.example/schema.json' });
    const r2 = remoteRef('{}');
    assert.ok(r2.ok && 'unchecked' in r2, 'a remote $ref is not fetched');
    const huge = createArgumentChecker({ type: 'object', description: 'x'.repeat(70_000) });
    const r3 = huge('{}');
    assert.ok(r3.ok && 'unchecked' in r3 && /larger than/.test(r3.unchecked));
  });

  describe('a hostile pattern cannot freeze the editor (ReDoS, issue 16 #7)', () => {
    // V8 backtracks exponentially on this: 2.3 s at 28 characters, doubling per character.
    const EVIL = { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } };

    test('patterns run on the linear engine, and the pathological input is answered', (t) => {
      const calls = mock.method(LinearPattern.prototype, 'test');
      t.after(() => calls.mock.restore());
      const check = createArgumentChecker(EVIL);
      assert.deepEqual(check('{"name":"aaa"}'), { ok: true, args: { name: 'aaa' } });
      assert.equal(calls.mock.callCount(), 1, 'the pattern was tested by RE2JS, not by RegExp');
      for (const n of [30, 40, 50]) {
        const r = check(JSON.stringify({ name: 'a'.repeat(n) + '!' }));
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.message, /name: must match pattern/);
      }
      assert.equal(calls.mock.callCount(), 4);
    });

    test('patternProperties too', (t) => {
      const calls = mock.method(LinearPattern.prototype, 'test');
      t.after(() => calls.mock.restore());
      const check = createArgumentChecker({
        type: 'object',
        patternProperties: { '^(a+)+$': { type: 'integer' } },
      });
      const r = check(JSON.stringify({ ['a'.repeat(50) + '!']: 'x', aaaa: 'not an integer' }));
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.message, /aaaa: must be integer/);
      assert.ok(calls.mock.callCount() >= 2);
    });

    test('a pattern that needs backtracking (backreference, lookahead) leaves the arguments unchecked', () => {
      for (const pattern of ['^(a+)\\1$', '^(?=a)(a+)+$']) {
        const check = createArgumentChecker({
          type: 'object',
          properties: { s: { type: 'string', pattern } },
        });
        const r = check(JSON.stringify({ s: 'a'.repeat(50) + '!' }));
        assert.ok(r.ok && 'unchecked' in r && /cannot be checked in linear time/.test(r.unchecked), pattern);
      }
    });

    test('ECMA-262 spellings still work: named groups, \\u escapes, \\d, a slash', () => {
      const check = createArgumentChecker({
        type: 'object',
        properties: { s: { type: 'string', pattern: '^(?<id>[\\u0041-\\u005A]{2}\\d+)/x$' } },
      });
      assert.equal(check('{"s":"AB12/x"}').ok, true);
      assert.equal(check('{"s":"ab12/x"}').ok, false);
    });

    test('arguments longer than the cap are sent unchecked instead of validated on each keystroke', () => {
      const check = createArgumentChecker(EVIL);
      const r = check(JSON.stringify({ name: 'a'.repeat(MAX_ARGUMENT_CHARS) }));
      assert.ok(r.ok && 'unchecked' in r && /longer than/.test(r.unchecked));
    });
  });
});
