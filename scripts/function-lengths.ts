/**
 * Lists the longest functions under the given folders (default src/): every function declaration,
 * method, accessor, constructor, function expression and arrow function with a block body, by lines
 * from its first to its last line (a nested function counts within its parent too).
 * `node --import tsx scripts/function-lengths.ts [folder…] [--top N]` prints the counts over 100 and
 * over 60 lines and the N longest (default 10). A measuring aid for reviews, not a gate.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

interface FunctionLength {
  file: string;
  name: string;
  line: number;
  lines: number;
}

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (/\.(m|c)?tsx?$/.test(entry) && !entry.endsWith('.d.ts')) yield path;
  }
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  // An anonymous function: the variable, property or call it is handed to.
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText(source);
  }
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(source).slice(0, 40)})`;
  return '(anonymous)';
}

function measure(file: string): FunctionLength[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node) => {
    const isFunction =
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      (ts.isArrowFunction(node) && ts.isBlock(node.body));
    if (isFunction && (node as ts.FunctionLikeDeclaration).body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: nameOf(node, source), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 10;
const folders = args.filter((a, i) => !a.startsWith('--') && i !== topAt + 1);
const all = (folders.length ? folders : ['src'])
  .flatMap((f) => [...tsFiles(f)])
  .flatMap(measure)
  .sort((a, b) => b.lines - a.lines);
console.log(
  `${all.length} functions; > 100 lines: ${all.filter((f) => f.lines > 100).length}; > 60 lines: ${all.filter((f) => f.lines > 60).length}`,
);
for (const f of all.slice(0, top)) {
  console.log(`${String(f.lines).padStart(4)}  ${relative(process.cwd(), f.file)}:${f.line}  ${f.name}`);
}
