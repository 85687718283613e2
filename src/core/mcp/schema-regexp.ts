/**
 * The regular-expression engine for patterns that come from a server's tool schema (`pattern`,
 * `patternProperties`). JSON Schema patterns are ECMA-262 regular expressions (JSON Schema Validation
 * 2020-12 §6.3.3, Core §4.3), and V8's backtracking engine takes exponential time on some of them:
 * `^(a+)+$` against 28 `a`s and a `!` took 2.3 s, doubling with each character — and Run Tool validates on
 * every keystroke in the extension host. A hostile server can choose the pattern, so it is run by RE2JS (a
 * port of RE2: automata, time linear in the input, no backtracking) instead.
 *
 * RE2 has no backreferences or lookaround, because those cannot be matched in linear time; a pattern that
 * uses them (or that RE2 finds too large) fails to compile, and the caller then leaves the arguments
 * unchecked and says why — the server validates its own input anyway.
 */
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';
import { RE2JS } from 're2js';

/** A pattern longer than this is not compiled (a schema is at most 64 KiB in all; a real pattern is short). */
export const MAX_PATTERN_CHARS = 4 * 1024;
/**
 * RE2's own estimate of a compiled pattern's cost; above this the pattern is refused. RE2 already caps
 * counted repetition at 1000 (`(a{1000}){1000}` is a syntax error), this bounds the rest.
 */
export const MAX_PROGRAM_SIZE = 20_000;

/** A compiled schema pattern: `test` as `RegExp.prototype.test` (a match anywhere, as JSON Schema asks). */
export class LinearPattern implements RegExpLike {
  constructor(private readonly re: RE2JS) {}

  test(s: string): boolean {
    return this.re.test(s);
  }
}

/**
 * Ajv's `code.regExp` option: compiles each schema pattern with RE2JS. Ajv passes `u` when `unicodeRegExp`
 * is on (its default); RE2 matches by code point regardless, so the flag needs no translation.
 * @throws an Error when the pattern cannot be matched in linear time or is too large; Ajv's `compile`
 * then throws and the schema is reported unusable.
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string): LinearPattern => {
    if (pattern.length > MAX_PATTERN_CHARS) {
      throw new Error(`a pattern is longer than ${MAX_PATTERN_CHARS} characters`);
    }
    let re: RE2JS;
    try {
      // translateRegExp: ECMA-262 spellings RE2 writes differently (`(?<name>`, `\u0041`, `/`).
      re = RE2JS.compile(RE2JS.translateRegExp(pattern));
    } catch (err) {
      throw new Error(
        `pattern ${JSON.stringify(pattern.slice(0, 60))} cannot be checked in linear time (${(err as Error).message})`,
        { cause: err },
      );
    }
    if (re.programSize() > MAX_PROGRAM_SIZE) {
      throw new Error(`pattern ${JSON.stringify(pattern.slice(0, 60))} is too large to check`);
    }
    return new LinearPattern(re);
  },
  // Ajv's standalone code generation names the engine by this; Sherpa never generates standalone code.
  { code: 'linearRegExp' },
);
