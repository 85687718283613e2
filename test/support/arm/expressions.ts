/**
 * The ARM template expression language (`"[func(arg).prop[0]]"`), enough of it to evaluate what the Bicep
 * compiler emits for infra/: literals, function calls, `.property` and `[index]` access. Functions are
 * supplied by the caller (./stand-in-deployment.ts), so what a deployment-time function returns is the
 * stand-in's decision, not the parser's. A string that starts with `[[` is a literal `[` (ARM's escape).
 */
export type Value = unknown;
export type Fn = (...args: Value[]) => Value;

type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

/** True when a template string is an expression (not a literal, not an escaped `[[`). */
export const isExpression = (s: string) => s.startsWith('[') && s.endsWith(']') && !s.startsWith('[[');

export function parseExpression(source: string): Node {
  const text = source.slice(1, -1);
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const expect = (c: string) => {
    ws();
    if (text[i] !== c) throw new Error(`expected '${c}' at ${i} in ${source}`);
    i++;
  };
  const primary = (): Node => {
    ws();
    const c = text[i];
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated string in ${source}`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      return { kind: 'literal', value };
    }
    const num = /^-?\d+/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return { kind: 'literal', value: Number(num[0]) };
    }
    const id = /^[A-Za-z_][\w.]*/.exec(text.slice(i));
    if (!id) throw new Error(`unexpected '${c}' at ${i} in ${source}`);
    i += id[0].length;
    expect('(');
    const args: Node[] = [];
    ws();
    if (text[i] === ')') i++;
    else {
      for (;;) {
        args.push(chain());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name: id[0].toLowerCase(), args };
  };
  const chain = (): Node => {
    let node = primary();
    for (;;) {
      ws();
      if (text[i] === '.') {
        i++;
        const name = /^[\w$-]+/.exec(text.slice(i));
        if (!name) throw new Error(`expected a property name at ${i} in ${source}`);
        i += name[0].length;
        node = { kind: 'property', target: node, name: name[0] };
      } else if (text[i] === '[') {
        i++;
        const index = chain();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const node = chain();
  ws();
  if (i !== text.length) throw new Error(`trailing text at ${i} in ${source}`);
  return node;
}

/**
 * Evaluates one expression. `if` is lazy (ARM evaluates only the branch taken, which is what lets a
 * template reference a resource that a false condition does not deploy).
 */
export function evaluateExpression(source: string, fns: Record<string, Fn>): Value {
  const run = (n: Node): Value => {
    switch (n.kind) {
      case 'literal':
        return n.value;
      case 'call': {
        if (n.name === 'if') return run(n.args[0]!) ? run(n.args[1]!) : run(n.args[2]!);
        const fn = fns[n.name];
        if (!fn) throw new Error(`ARM function ${n.name}() is not supported by the stand-in deployment`);
        return fn(...n.args.map(run));
      }
      case 'property': {
        const target = run(n.target) as Record<string, Value> | undefined;
        if (target === null || typeof target !== 'object' || !(n.name in target))
          throw new Error(`property '${n.name}' not found (${JSON.stringify(target)?.slice(0, 200)})`);
        return target[n.name];
      }
      case 'index': {
        const target = run(n.target) as Record<string, Value>;
        return target[run(n.index) as string];
      }
    }
  };
  return run(parseExpression(source));
}

/** Evaluates every expression inside a JSON value (object keys included), depth first. */
export function evaluateDeep(value: Value, fns: Record<string, Fn>): Value {
  if (typeof value === 'string') {
    if (isExpression(value)) return evaluateExpression(value, fns);
    return value.startsWith('[[') ? value.slice(1) : value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluateDeep(v, fns));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [String(evaluateDeep(k, fns)), evaluateDeep(v, fns)]),
    );
  return value;
}
